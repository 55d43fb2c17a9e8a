using Behorighetsportal.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Orders;

/// <summary>The order routes of API.md. Authentication is the portal's own (principal header, integration key).</summary>
public sealed class OrderHttpFunctions(OrderEndpoints orders, ApprovalEndpoints approvals, AttestationEndpoints attestations)
{
    [Function("PlaceOrder")]
    public Task<IResult> PlaceOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/orders")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        orders.PlaceAsync(request, durable, request.HttpContext.RequestAborted);

    [Function("GetOrder")]
    public Task<IResult> GetOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/orders/{orderId}")] HttpRequest request, string orderId) =>
        orders.GetAsync(request, orderId, request.HttpContext.RequestAborted);

    [Function("CancelOrder")]
    public Task<IResult> CancelOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/orders/{orderId}/cancel")] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        orders.CancelAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("ShowApproval")]
    public Task<IResult> ShowApproval(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/approvals/{token}")] HttpRequest request, string token) =>
        approvals.ShowAsync(request, token, request.HttpContext.RequestAborted);

    [Function("DecideApproval")]
    public Task<IResult> DecideApproval(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/approvals/{token}")] HttpRequest request, string token,
        [DurableClient] DurableTaskClient durable) =>
        approvals.DecideAsync(request, token, durable, request.HttpContext.RequestAborted);

    // Function level: in Azure the platform checks the key; the handler checks it too, so the devhost and a
    // misconfigured app behave the same.
    [Function("Attest")]
    public Task<IResult> Attest(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/attestations/{orderId}")] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        attestations.AttestAsync(request, orderId, durable, request.HttpContext.RequestAborted);
}
