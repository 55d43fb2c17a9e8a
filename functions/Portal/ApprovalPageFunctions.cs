using Behorighetsportal.Approvals.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>/godkannanden (API.md "Pages").</summary>
public sealed class ApprovalPageFunctions(ApprovalPages approvals)
{
    [Function("ApprovalsPage")]
    public Task<IResult> ApprovalsPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "godkannanden")] HttpRequest request) =>
        approvals.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("DecideApprovals")]
    public Task<IResult> DecideApprovals(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "godkannanden")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        approvals.DecideAsync(request.HttpContext, durable, request.HttpContext.RequestAborted);
}
