using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// The test host's in-memory backend with concurrency caps that do not throttle the sidecar.
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

    public new int MaxConcurrentTaskOrchestrationWorkItems => maxConcurrentWorkItems;

    public new int MaxConcurrentTaskActivityWorkItems => maxConcurrentWorkItems;
}
