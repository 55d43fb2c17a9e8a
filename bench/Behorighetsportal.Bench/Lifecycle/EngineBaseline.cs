using System.Diagnostics;
using Behorighetsportal.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// The engine baseline: an orchestration with the order lifecycle's shape — the same activities (doing nothing),
/// external events and timers, cancelled the same way — driven the way the bench drives orders, so the difference
/// between the two runs is the product's own share.
/// </summary>
internal static class EngineBaseline
{
    public const string Orchestration = "BenchSkeleton";
    private const string Noop = "BenchNoop";
    private const string AwaitingAttestation = "awaiting-attestation";

    public sealed record Input(DateTime ActivateAtUtc);

    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddActivityFunc<string, string>(Noop, (_, step) => step);
        registry.AddOrchestratorFunc<Input, string>(Orchestration, RunAsync);
    }

    /// <summary>
    /// OrderLifecycleOrchestrator with approval and attestation: request approval, wait (decision, cancel, deadline,
    /// reminder), record; wait for attestation (decision, cancel, deadline), record; timer to the start date or a
    /// cancel; activate, record Active, send the password notice.
    /// </summary>
    private static async Task<string> RunAsync(TaskOrchestrationContext context, Input input)
    {
        await context.CallActivityAsync<string>(Noop, "request-approval");
        if (!await WaitAsync(context, "approval", context.CurrentUtcDateTime.AddHours(72), context.CurrentUtcDateTime.AddHours(48)))
        {
            return "expired";
        }

        await context.CallActivityAsync<string>(Noop, "record-approved");
        context.SetCustomStatus(AwaitingAttestation);
        if (!await WaitAsync(context, "attestation", context.CurrentUtcDateTime.AddDays(30), null))
        {
            return "expired";
        }

        await context.CallActivityAsync<string>(Noop, "record-attested");
        using (var waiting = new CancellationTokenSource())
        {
            var due = context.CreateTimer(input.ActivateAtUtc, waiting.Token);
            var cancel = context.WaitForExternalEvent<string>("cancel", waiting.Token);
            var winner = await Task.WhenAny(due, cancel);
            waiting.Cancel();
            if (winner != due)
            {
                return "cancelled";
            }
        }

        await context.CallActivityAsync<string>(Noop, "activate");
        await context.CallActivityAsync<string>(Noop, "record-active");
        await context.CallActivityAsync<string>(Noop, "password-notice");
        return "active";
    }

    private static async Task<bool> WaitAsync(TaskOrchestrationContext context, string eventName, DateTime deadline, DateTime? remindAt)
    {
        using var waiting = new CancellationTokenSource();
        var decided = context.WaitForExternalEvent<string>(eventName, waiting.Token);
        var cancelled = context.WaitForExternalEvent<string>("cancel", waiting.Token);
        var expired = context.CreateTimer(deadline, waiting.Token);
        Task[] racing = remindAt is { } at ? [decided, cancelled, expired, context.CreateTimer(at, waiting.Token)] : [decided, cancelled, expired];
        var winner = await Task.WhenAny(racing);
        waiting.Cancel();
        return winner == decided;
    }

    /// <summary>
    /// One skeleton through its life: started, the approval raised through the product's own raise path, the
    /// attestation raised once the skeleton waits for it, then polled until complete. Returns the time from the
    /// attestation to completion being visible, as the order driver measures attestation → Active.
    /// </summary>
    public static async Task<TimeSpan> DriveAsync(DurableTaskClient client, string instanceId, Poller poller)
    {
        var activateAt = DateTime.UtcNow.Date;
        await client.ScheduleNewOrchestrationInstanceAsync(Orchestration, new Input(activateAt), new StartOrchestrationOptions(instanceId));
        await RaiseAsync(client, instanceId, "approval");
        await poller.UntilAsync(async () =>
            (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains(AwaitingAttestation, StringComparison.Ordinal) == true);

        var attested = Stopwatch.GetTimestamp();
        await RaiseAsync(client, instanceId, "attestation");
        await poller.UntilAsync(async () => (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false))?.RuntimeStatus == OrchestrationRuntimeStatus.Completed);
        return Stopwatch.GetElapsedTime(attested);
    }

    private static async Task RaiseAsync(DurableTaskClient client, string instanceId, string eventName)
    {
        for (var attempt = 0; !await DurableSignals.TryRaiseAsync(client, instanceId, eventName, "decided", NullLogger.Instance, CancellationToken.None); attempt++)
        {
            if (attempt == 5)
            {
                throw new InvalidOperationException($"{instanceId}: {eventName} could not be raised.");
            }

            await Task.Delay(200);
        }
    }
}
