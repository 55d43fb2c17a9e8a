using Behorighetsportal.Orders.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Portal;

/// <summary>The order pages (OrderPages.Map), one trigger per route.</summary>
public sealed class OrderPageFunctions(OrderPages pages)
{
    [Function("OrderFormPage")]
    public Task<IResult> Form([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bestall")] HttpRequest request) =>
        pages.FormAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("OrderFormPost")]
    public Task<IResult> Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bestall")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        pages.PostAsync(request.HttpContext, durable, request.HttpContext.RequestAborted);

    [Function("OrderConfirmationPage")]
    public Task<IResult> Confirmation([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bestall/klar")] HttpRequest request) =>
        pages.ConfirmationAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("OrdersPage")]
    public Task<IResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bestallningar")] HttpRequest request) =>
        pages.ListAsync(request.HttpContext, request.HttpContext.RequestAborted);

    [Function("OrderPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bestallningar/{orderId}")] HttpRequest request, string orderId) =>
        pages.ShowAsync(request.HttpContext, orderId, request.HttpContext.RequestAborted);

    [Function("OrderCancelPost")]
    public Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bestallningar/{orderId}/avbryt")] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        pages.CancelAsync(request.HttpContext, orderId, durable, request.HttpContext.RequestAborted);
}
