using Behorighetsportal.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Http;

/// <summary>GET /api/health: ok once storage and the durable engine answer.</summary>
public sealed class HealthEndpoints(StorageAccount storage)
{
    public async Task<IResult> CheckAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await storage.EnsureCreatedAsync(timeout.Token);
            await storage.Table(TableNames.Orders).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("health", "probe", cancellationToken: timeout.Token);
            await durable.GetInstanceAsync("health-probe", getInputsAndOutputs: false, timeout.Token);
            return Results.Json(new { status = "ok" });
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return Results.Json(new { status = "unavailable", reason = e.GetType().Name }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
