using Behorighetsportal.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Policies;

public sealed class PolicyFunctions(PolicyEndpoints policies)
{
    [Function("ListPolicies")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/policies")] HttpRequest request) =>
        policies.ListAsync(request, request.HttpContext.RequestAborted);

    [Function("SavePolicy")]
    public Task<IResult> Save(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/policies/{policyId}")] HttpRequest request, string policyId,
        [DurableClient] DurableTaskClient durable) =>
        policies.SaveAsync(request, policyId, durable, request.HttpContext.RequestAborted);

    [Function("PreviewPolicy")]
    public Task<IResult> Preview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/policies/{policyId}/preview")] HttpRequest request, string policyId) =>
        policies.PreviewAsync(request, policyId, request.HttpContext.RequestAborted);
}
