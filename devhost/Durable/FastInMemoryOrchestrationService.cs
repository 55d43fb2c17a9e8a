using System.Collections.Concurrent;
using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// The test host's in-memory backend with concurrency caps that do not throttle the sidecar, and a notification when
/// an instance has started.
/// </summary>
/// <remarks>
/// The stock service caps both kinds of work item at <see cref="Environment.ProcessorCount"/>; at the cap the
/// sidecar's dispatcher sleeps 500 ms before fetching again, which held a 2-core machine to 2 orchestrations
/// per second. Its properties are not virtual, so the interface is re-implemented here: the dispatcher reads
/// them through <see cref="IOrchestrationService"/> and so gets these values. The cap is far above what runs
/// at once because a burst that reaches it still stalls for 500 ms (measured on 2 cores, 200 one-activity
/// orchestrations: about 100/s with a cap of 100, over 1000/s with 1000). In-flight items beyond the worker's
/// own concurrency just wait in the worker.
/// </remarks>
public class FastInMemoryOrchestrationService(ILoggerFactory? loggerFactory = null, int maxConcurrentWorkItems = FastInMemoryOrchestrationService.DefaultMaxConcurrentWorkItems)
    : InMemoryOrchestrationService(loggerFactory), IOrchestrationService
{
    public const int DefaultMaxConcurrentWorkItems = 1000;

    readonly ConcurrentDictionary<string, TaskCompletionSource> startWaiters = new(StringComparer.OrdinalIgnoreCase);

    public new int MaxConcurrentTaskOrchestrationWorkItems => maxConcurrentWorkItems;

    public new int MaxConcurrentTaskActivityWorkItems => maxConcurrentWorkItems;

    /// <summary>
    /// Completes once the instance exists and has left Pending, i.e. once an episode of it has been saved; see
    /// <see cref="SidecarService"/>.
    /// </summary>
    public async Task WaitForStartAsync(string instanceId, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Registered before the check, so an episode saved in between still wakes us.
            TaskCompletionSource saved = this.startWaiters.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            OrchestrationState? state = await this.GetOrchestrationStateAsync(instanceId, executionId: null);
            if (state is not null && state.OrchestrationStatus != OrchestrationStatus.Pending)
            {
                return;
            }

            await saved.Task.WaitAsync(cancellationToken);
        }
    }

    Task IOrchestrationService.CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        Task saving = this.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

        // The base saves synchronously; the status it saved is what waiters re-read.
        if (this.startWaiters.TryRemove(workItem.InstanceId, out TaskCompletionSource? waiters))
        {
            waiters.TrySetResult();
        }

        return saving;
    }
}
