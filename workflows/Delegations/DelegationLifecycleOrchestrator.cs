using Behorighetsportal.Durable;
using Microsoft.DurableTask;

namespace Behorighetsportal.Delegations;

/// <summary>Instants computed when the delegation is made: 00:00 Europe/Stockholm of the first day and of the
/// day after the last.</summary>
public sealed record DelegationLifecycleInput(string DelegationId, string ManagerId, DateTime StartsAtUtc, DateTime EndsAtUtc);

public static class DelegationEvents
{
    /// <summary>The manager withdrew the delegation (already stored as Revoked; this only wakes the lifecycle).</summary>
    public const string Revoked = nameof(Revoked);
}

/// <summary>
/// One delegation, instance id = delegation id: a durable timer to its first day, active, a durable timer to the
/// end of its last day, ended — or revoked at any point (R8). Timers of months are fine: the Durable Task worker
/// splits a long timer into shorter ones (at most <c>MaximumTimerInterval</c>, 3 days by default), well inside the
/// 7 days an Azure Storage queue message may wait.
/// </summary>
public sealed class DelegationLifecycleOrchestrator : TaskOrchestrator<DelegationLifecycleInput, DelegationStatus>
{
    private const int MaxWaitsPerInstant = 3;

    public override async Task<DelegationStatus> RunAsync(TaskOrchestrationContext context, DelegationLifecycleInput input)
    {
        if (!await WaitUntilAsync(context, input.StartsAtUtc))
        {
            return DelegationStatus.Revoked;
        }

        var status = await context.CallActivityAsync<DelegationStatus>(nameof(StartDelegationActivity),
            new DelegationStep(input.DelegationId, input.ManagerId, DelegationStatus.Active, context.CurrentUtcDateTime), ActivityRetry.Options);
        if (status != DelegationStatus.Active)
        {
            return status;
        }

        if (!await WaitUntilAsync(context, input.EndsAtUtc))
        {
            return DelegationStatus.Revoked;
        }

        return await context.CallActivityAsync<DelegationStatus>(nameof(EndDelegationActivity),
            new DelegationStep(input.DelegationId, input.ManagerId, DelegationStatus.Ended, context.CurrentUtcDateTime), ActivityRetry.Options);
    }

    /// <summary>
    /// Waits for the instant or a revocation, whichever comes first; false when revoked. Azure Storage makes a
    /// timer message visible in whole seconds, so a timer can fire up to a second early; a delegation must not
    /// start or end before its instant, so after an early firing it waits once more, until a second past the
    /// instant (a timer due in less than a second would fire at once again). The number of waits is bounded; should
    /// the clock still be short of the instant, it is by a moment, and rights also check the Swedish day.
    /// </summary>
    private static async Task<bool> WaitUntilAsync(TaskOrchestrationContext context, DateTime fireAt)
    {
        var wakeAt = fireAt;
        for (var wait = 0; wait < MaxWaitsPerInstant; wait++)
        {
            using var waiting = new CancellationTokenSource();
            var due = context.CreateTimer(wakeAt, waiting.Token);
            var revoked = context.WaitForExternalEvent<string>(DelegationEvents.Revoked, waiting.Token);
            var winner = await Task.WhenAny(due, revoked);
            waiting.Cancel();
            if (winner != due)
            {
                return false;
            }

            if (context.CurrentUtcDateTime >= fireAt)
            {
                return true;
            }

            wakeAt = fireAt.AddSeconds(1);
        }

        return true;
    }
}
