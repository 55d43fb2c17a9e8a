using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>Builds the Azure Storage (Azurite) backend with settings tuned for one local process.</summary>
internal static class AzureStorageBackend
{
    /// <summary>
    /// Work items the sidecar runs at once. They mostly wait on storage and on the worker, so this can far exceed
    /// the core count; at the cap the sidecar's dispatcher pauses for 500 ms.
    /// </summary>
    internal const int MaxConcurrentWorkItems = 100;

    internal static AzureStorageOrchestrationServiceSettings CreateSettings(DurableEngineOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TaskHubName);

        return new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(options.ConnectionString),
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,

            // Idle queues back off up to this interval, so it bounds the latency of a message that arrives
            // after a quiet spell (the default of 30 s makes a local app feel hung). Against Azurite on
            // loopback the extra polling is cheap.
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),

            // One process owns the hub, so a single control queue means one lease and one queue to poll.
            // The count is fixed when a hub is first created; existing hubs keep theirs.
            PartitionCount = 1,

            // The app lease only matters for blue/green swaps of several apps on one hub; skipping it
            // avoids waiting on a blob lease at start-up.
            UseAppLease = false,

            // The partition manager gives each read-and-write of its lease table 2 s by default, and on a timeout
            // retries at once. With an Azurite slower than that (200 decisions at once on 2 cores, beside other
            // load) every attempt is cut off and the 30 s lease cannot be renewed: 1 767 retries in one run, adding
            // to the load that slowed them, and 33 of 80 new orders never started within 4 minutes. One process owns
            // the hub and nobody waits for its lease, so a slow answer is waited for (well inside the lease).
            PartitionTableOperationTimeout = TimeSpan.FromSeconds(15),

            MaxConcurrentTaskOrchestrationWorkItems = MaxConcurrentWorkItems,
            MaxConcurrentTaskActivityWorkItems = MaxConcurrentWorkItems,
        };
    }

    internal static (IOrchestrationService Service, IOrchestrationServiceClient Client) Create(DurableEngineOptions options, ILoggerFactory? loggerFactory)
    {
        var service = new AzureStorageOrchestrationService(CreateSettings(options, loggerFactory));
        return (service, new QuickWaitClient(service));
    }
}

/// <summary>
/// Passes client calls to Azure Storage but waits for completion with a short polling interval.
/// </summary>
/// <remarks>
/// Azure Storage's own wait polls the instance table every 2 s, which adds up to 2 s to every
/// WaitForInstanceCompletionAsync. Azurite answers a point read in about a millisecond, so polling
/// from 50 ms, backing off to 500 ms, costs little and keeps waits close to the real completion time.
/// The query and purge interfaces are forwarded because the sidecar only offers those operations when
/// its client implements them.
/// </remarks>
internal sealed class QuickWaitClient(AzureStorageOrchestrationService inner)
    : IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    static readonly TimeSpan FirstPollInterval = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(500);

    public async Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource.CancelAfter(timeout);
        }

        TimeSpan interval = FirstPollInterval;
        while (true)
        {
            OrchestrationState? state = await inner.GetOrchestrationStateAsync(instanceId, executionId);
            if (state is not null && IsTerminal(state.OrchestrationStatus))
            {
                // Azure Storage's own wait also resolves outputs kept in blobs; one more read is the cheap way to reuse that.
                return await inner.WaitForOrchestrationAsync(instanceId, executionId, TimeSpan.Zero, cancellationToken) ?? state;
            }

            try
            {
                await Task.Delay(interval, timeoutSource.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Same contract as Azure Storage: a timeout yields null rather than an exception.
                return null!;
            }

            interval = TimeSpan.FromTicks(Math.Min(MaxPollInterval.Ticks, interval.Ticks * 2));
        }
    }

    static bool IsTerminal(OrchestrationStatus status) => status is not (
        OrchestrationStatus.Running or OrchestrationStatus.Pending or OrchestrationStatus.Suspended or OrchestrationStatus.ContinuedAsNew);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => inner.CreateTaskOrchestrationAsync(creationMessage);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        inner.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => inner.SendTaskOrchestrationMessageAsync(message);

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => inner.SendTaskOrchestrationMessageBatchAsync(messages);

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => inner.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        inner.GetOrchestrationStateAsync(instanceId, allExecutions);

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        inner.GetOrchestrationStateAsync(instanceId, executionId);

    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) =>
        inner.GetOrchestrationHistoryAsync(instanceId, executionId);

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        inner.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        inner.GetOrchestrationWithQueryAsync(query, cancellationToken);

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) => ((IOrchestrationServicePurgeClient)inner).PurgeInstanceStateAsync(instanceId);

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) =>
        ((IOrchestrationServicePurgeClient)inner).PurgeInstanceStateAsync(purgeInstanceFilter);
}
