using Behorighetsportal.Delegations.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The delegation pages (DelegationPages.Map), one trigger per route.</summary>
public sealed class DelegationPageFunctions(DelegationPages pages)
{
    [Function("DelegationsPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegeringar")] HttpRequest request) =>
        pages.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("DelegationCreatePost")]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegeringar")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        pages.CreateAsync(request.HttpContext, durable, request.HttpContext.RequestAborted);

    [Function("DelegationRevokePost")]
    public Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegeringar/{delegationId}/aterkalla")] HttpRequest request, string delegationId,
        [DurableClient] DurableTaskClient durable) =>
        pages.RevokeAsync(request.HttpContext, delegationId, durable, request.HttpContext.RequestAborted);
}
