using Microsoft.DurableTask;

namespace Behorighetsportal.Durable;

/// <summary>
/// How every workflow calls its activities: a failed one is tried again, with growing pauses, for about a day.
/// Activities are safe to repeat, and what makes one fail is usually passing — the SMTP relay or storage briefly
/// unavailable. Without retries a single such failure ended the workflow and left its order, delegation or import
/// standing where it was with nothing left to move it. The pauses are durable timers, so retries outlive restarts;
/// each failure is logged by the activity's host, and a workflow that still fails after a day needs an operator.
/// </summary>
public static class ActivityRetry
{
    public static readonly RetryPolicy Policy = new(
        maxNumberOfAttempts: 20, firstRetryInterval: TimeSpan.FromSeconds(5), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromHours(2));

    public static readonly TaskOptions Options = TaskOptions.FromRetryPolicy(Policy);
}
