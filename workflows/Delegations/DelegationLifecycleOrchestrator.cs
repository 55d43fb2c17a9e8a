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
    public override async Task<DelegationStatus> RunAsync(TaskOrchestrationContext context, DelegationLifecycleInput input)
    {
        if (!await WaitUntilAsync(context, input.StartsAtUtc))
        {
            return DelegationStatus.Revoked;
        }

        var status = await context.CallActivityAsync<DelegationStatus>(nameof(StartDelegationActivity),
            new DelegationStep(input.DelegationId, input.ManagerId, DelegationStatus.Active, context.CurrentUtcDateTime));
        if (status != DelegationStatus.Active)
        {
            return status;
        }

        if (!await WaitUntilAsync(context, input.EndsAtUtc))
        {
            return DelegationStatus.Revoked;
        }

        return await context.CallActivityAsync<DelegationStatus>(nameof(EndDelegationActivity),
            new DelegationStep(input.DelegationId, input.ManagerId, DelegationStatus.Ended, context.CurrentUtcDateTime));
    }

    /// <summary>Waits for the instant or a revocation, whichever comes first; false when revoked.</summary>
    private static async Task<bool> WaitUntilAsync(TaskOrchestrationContext context, DateTime fireAt)
    {
        using var waiting = new CancellationTokenSource();
        var due = context.CreateTimer(fireAt, waiting.Token);
        var revoked = context.WaitForExternalEvent<string>(DelegationEvents.Revoked, waiting.Token);
        var winner = await Task.WhenAny(due, revoked);
        waiting.Cancel();
        return winner == due;
    }
}
