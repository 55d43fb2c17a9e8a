using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Tests.Durable;

/// <summary>Which raises fail, and how many did; shared by every <see cref="FlakyRaiseClient"/> of a test.</summary>
internal sealed class RaiseFault
{
    private int _failed;
    private int _calls;
    private volatile bool _failing;
    private volatile int _failEvery;

    /// <summary>Every raise fails while this is set.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>When above zero, every so many raises fail (the 10th, the 20th, …).</summary>
    public int FailEvery
    {
        get => _failEvery;
        set => _failEvery = value;
    }

    /// <summary>How many raises were refused.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public bool ShouldFail()
    {
        var every = _failEvery;
        var fail = _failing || (every > 0 && Interlocked.Increment(ref _calls) % every == 0);
        if (fail)
        {
            Interlocked.Increment(ref _failed);
        }

        return fail;
    }
}

/// <summary>Which orchestration starts fail: those of one orchestrator, while <see cref="Remaining"/> is above zero.</summary>
internal sealed class StartFault(string orchestrator, int times = int.MaxValue)
{
    private int _remaining = times;
    private int _failed;

    /// <summary>Starts still to refuse; set to zero and every start goes through again.</summary>
    public int Remaining
    {
        get => Volatile.Read(ref _remaining);
        set => Volatile.Write(ref _remaining, value);
    }

    /// <summary>How many starts were refused.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public bool ShouldFail(TaskName orchestratorName)
    {
        if (orchestratorName.Name != orchestrator)
        {
            return false;
        }

        int remaining;
        do
        {
            remaining = Volatile.Read(ref _remaining);
            if (remaining <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) != remaining);

        Interlocked.Increment(ref _failed);
        return true;
    }
}

/// <summary>
/// The app's own durable client, except that <see cref="RaiseEventAsync"/> throws when <see cref="RaiseFault"/> says so,
/// and <see cref="ScheduleNewOrchestrationInstanceAsync"/> when <see cref="StartFault"/> does: the faults a route or an
/// activity meets when the engine cannot be reached at the moment it raises an event or starts a workflow. Nothing is
/// sent or started then.
/// </summary>
internal sealed class FlakyRaiseClient(DurableTaskClient inner, RaiseFault fault, StartFault? starts = null) : DurableTaskClient(inner.Name)
{
    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        if (fault.ShouldFail())
        {
            throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "injected: the durable engine cannot be reached"));
        }

        return inner.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);
    }

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        if (starts?.ShouldFail(orchestratorName) == true)
        {
            throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "injected: the durable engine cannot be reached"));
        }

        return inner.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);
    }

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        inner.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        inner.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.TerminateInstanceAsync(instanceId, options, cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        inner.SuspendInstanceAsync(instanceId, reason, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        inner.ResumeInstanceAsync(instanceId, reason, cancellation);

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        inner.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => inner.GetAllInstancesAsync(filter);

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.PurgeInstanceAsync(instanceId, options, cancellation);

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.PurgeAllInstancesAsync(filter, options, cancellation);

    // The app's container owns the inner client; this wrapper has nothing of its own to release.
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
