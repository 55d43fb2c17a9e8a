using Behorighetsportal.OrdererRoles.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The orderer-role page (OrdererRolePages.Map), one trigger per route.</summary>
public sealed class OrdererRolePageFunctions(OrdererRolePages pages)
{
    [Function("OrdererRolePage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bestallarroll")] HttpRequest request) =>
        pages.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("OrdererRolePost")]
    public Task<IResult> Order([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bestallarroll")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        pages.OrderAsync(request.HttpContext, durable, request.HttpContext.RequestAborted);
}
