using DurableTask.Core;
using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.DurableTask.Worker.Grpc.Internal;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// Runs orchestrations inside the caller's host, without the Functions runtime: a gRPC sidecar over a
/// DurableTask.Core backend, plus the Microsoft.DurableTask worker and client calling it in-process.
/// </summary>
/// <remarks>
/// Known limits of the sidecar (Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1) on
/// <see cref="DurableBackend.AzureStorage"/>:
/// <list type="bullet">
/// <item>Raise an event only once the instance has left Pending (<c>WaitForInstanceStartAsync</c>):
/// Azure Storage discards messages for an instance that has no history yet unless the same batch carries its
/// start, so an event sent before the first episode can be dropped (certain for a delayed start; a race
/// otherwise, which did not show in our runs). Events raised to a running instance before it reaches its
/// <c>WaitForExternalEvent</c> are kept and delivered.</item>
/// <item>Sub-orchestrations are not supported (the preview mis-serialises them for Azure Storage).</item>
/// <item>The sidecar does not renew activity locks: an activity that runs longer than the queue visibility
/// timeout (5 minutes) is handed out again. Work in flight when the process stops is likewise retried only
/// after that timeout.</item>
/// </list>
/// </remarks>
public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>Work items the worker runs at once; the sidecar's backend sets the effective cap.</summary>
    const int WorkerConcurrency = 200;

    /// <summary>
    /// Registers the durable engine: the sidecar as a hosted service (started before the worker), a Durable
    /// Task worker running the tasks from <paramref name="registerTasks"/>, and a <see cref="DurableTaskClient"/>
    /// singleton. Activities are created from the caller's container, so their dependencies are injected.
    /// </summary>
    public static IServiceCollection AddDurableEngine(
        this IServiceCollection services,
        DurableEngineOptions options,
        Action<DurableTaskRegistry> registerTasks)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registerTasks);

        // Registered before the worker so that hosts start it first and stop it last.
        services.AddSingleton(sp => new DurableEngineHost(options, sp.GetService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<DurableEngineHost>());

        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(registerTasks);
            builder.UseGrpc();
            builder.Configure(worker =>
            {
                worker.Concurrency.MaximumConcurrentOrchestrationWorkItems = WorkerConcurrency;
                worker.Concurrency.MaximumConcurrentActivityWorkItems = WorkerConcurrency;
            });

            // In-process calls rather than HTTP/2 on loopback (see InProcessCallInvoker); from the container because
            // the sidecar exists only once the engine host has started.
            builder.Services.AddOptions<GrpcDurableTaskWorkerOptions>(builder.Name)
                .Configure<DurableEngineHost>((grpc, engine) =>
                {
                    grpc.CallInvoker = engine.CallInvoker;

                    // The worker drops and reopens its work-item stream after 2 silent minutes, expecting the
                    // health pings that the Azure-hosted scheduler sends. This sidecar sends none, so an idle app
                    // would reconnect (and log a warning) every 2 minutes for nothing.
                    grpc.SetSilentDisconnectTimeout(TimeSpan.Zero);
                });
        });

        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc();
            builder.RegisterDirectly();
            builder.Services.AddOptions<GrpcDurableTaskClientOptions>(builder.Name)
                .Configure<DurableEngineHost>((grpc, engine) => grpc.CallInvoker = engine.CallInvoker);
        });

        return services;
    }
}

/// <summary>Creates the backend and runs the sidecar for the lifetime of the caller's host.</summary>
internal sealed class DurableEngineHost : IHostedService, IAsyncDisposable, IDisposable
{
    readonly DurableEngineOptions options;
    readonly ILoggerFactory? loggerFactory;
    readonly ILogger logger;
    DurableSidecar? sidecar;
    IOrchestrationService? backend;

    public DurableEngineHost(DurableEngineOptions options, ILoggerFactory? loggerFactory)
    {
        this.options = options;
        this.loggerFactory = loggerFactory;
        this.logger = (ILogger?)loggerFactory?.CreateLogger<DurableEngineHost>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        this.CallInvoker = new InProcessCallInvoker(() => Volatile.Read(ref this.sidecar)?.Server);
    }

    /// <summary>
    /// What the worker and client share to reach the sidecar: its service, called directly in this process rather
    /// than over its loopback port (see <see cref="InProcessCallInvoker"/>).
    /// </summary>
    public CallInvoker CallInvoker { get; }

    /// <summary>The running backend, for the benchmark to read the engine's own statistics from.</summary>
    internal IOrchestrationService? Backend => Volatile.Read(ref this.backend);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        (IOrchestrationService service, IOrchestrationServiceClient client) = this.options.Backend switch
        {
            DurableBackend.AzureStorage => AzureStorageBackend.Create(this.options, this.loggerFactory),
            DurableBackend.InMemory => InMemory(this.loggerFactory),
            _ => throw new InvalidOperationException($"Unknown durable backend '{this.options.Backend}'."),
        };

        this.backend = service;
        DurableSidecar started = await DurableSidecar.StartAsync(service, client, this.options.Port, this.loggerFactory, cancellationToken);
        Volatile.Write(ref this.sidecar, started);

        static (IOrchestrationService, IOrchestrationServiceClient) InMemory(ILoggerFactory? loggerFactory)
        {
            var service = new FastInMemoryOrchestrationService(loggerFactory);
            return (service, service);
        }
    }

    /// <summary>
    /// Stops the sidecar and the backend, for no longer than the host allows (<paramref name="cancellationToken"/> is
    /// cancelled at the host's ShutdownTimeout).
    /// </summary>
    /// <remarks>
    /// Azure Storage's stop releases the partition leases, and its partition manager retries that for up to ten
    /// minutes while storage does not answer: a devhost whose Azurite had gone first hung on SIGTERM until killed.
    /// Leases not released expire by themselves (LeaseInterval, 30 s), so the next host takes the partition over then,
    /// and work in flight is retried (activities run at least once): giving up on the release loses nothing.
    /// </remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        DurableSidecar? running = Interlocked.Exchange(ref this.sidecar, null);
        IOrchestrationService? stopping = Interlocked.Exchange(ref this.backend, null);
        if (running is not null)
        {
            try
            {
                await running.DisposeAsync().AsTask().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The stop goes on in the background, and the backend is left to it: disposing it under a stop still
                // running would only add errors to the log.
                DurableEngineLog.StopAbandoned(this.logger, this.options.Backend, this.options.TaskHubName);
                return;
            }
        }

        (stopping as IDisposable)?.Dispose();
    }

    public ValueTask DisposeAsync() => new(this.StopAsync(CancellationToken.None));

    // A container disposed synchronously refuses singletons that are only IAsyncDisposable. The host has
    // normally stopped the sidecar already, leaving nothing here that blocks.
    public void Dispose() => this.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

static partial class DurableEngineLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning,
        Message = "The durable engine ({Backend}, task hub {TaskHub}) did not stop within the host's shutdown timeout (storage not answering?); its partition leases expire by themselves and work in flight is retried on the next start")]
    public static partial void StopAbandoned(ILogger logger, DurableBackend backend, string taskHub);
}
