using DurableTask.Core;
using Grpc.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Options;
using P = Microsoft.DurableTask.Protobuf;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// The preview's <see cref="TaskHubGrpcServer"/>, with WaitForInstanceStart answered as soon as the in-memory
/// backend has run an instance's first episode.
/// </summary>
/// <remarks>
/// The stock implementation checks the status, then sleeps 500 ms between checks. A client that raises an event
/// right after scheduling (DurableSignals.TryRaiseAsync waits for the start first) nearly always finds the instance
/// still Pending, so it paid up to half a second per start: the engine baseline's p95 for raising its first event
/// was about 600 ms. Other backends keep the stock polling (a poll there is a storage transaction).
/// </remarks>
public sealed class SidecarService : TaskHubGrpcServer
{
    readonly FastInMemoryOrchestrationService? inMemory;

    public SidecarService(
        IHostApplicationLifetime hostApplicationLifetime,
        ILoggerFactory loggerFactory,
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        IOptions<TaskHubGrpcServerOptions> options)
        : base(hostApplicationLifetime, loggerFactory, service, client, options)
    {
        this.inMemory = client as FastInMemoryOrchestrationService;
    }

    public override async Task<P.GetInstanceResponse> WaitForInstanceStart(P.GetInstanceRequest request, ServerCallContext context)
    {
        if (this.inMemory is { } inMemory)
        {
            await inMemory.WaitForStartAsync(request.InstanceId, context.CancellationToken);
        }

        // Started by now on the in-memory backend, so the stock method answers from its first status check.
        return await base.WaitForInstanceStart(request, context);
    }
}
