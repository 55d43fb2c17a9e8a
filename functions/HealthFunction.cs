using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions;

public sealed class HealthFunction(HealthEndpoints health)
{
    [Function("Health")]
    public Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        health.CheckAsync(durable, request.HttpContext.RequestAborted);
}
