using Behorighetsportal.Policies.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The policy pages (PolicyPages.Map), one trigger per route.</summary>
public sealed class PolicyPageFunctions(PolicyPages pages)
{
    [Function("PoliciesPage")]
    public Task<IResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "policyer")] HttpRequest request) =>
        pages.ListAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("PolicyPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "policyer/{policyId}")] HttpRequest request, string policyId) =>
        pages.ShowAsync(request.HttpContext, policyId, request.HttpContext.RequestAborted);

    [Function("PolicyPost")]
    public Task<IResult> Post(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "policyer/{policyId}")] HttpRequest request, string policyId,
        [DurableClient] DurableTaskClient durable) =>
        pages.PostAsync(request.HttpContext, policyId, durable, request.HttpContext.RequestAborted);
}
