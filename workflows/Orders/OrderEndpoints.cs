using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Orders;

/// <summary>The JSON body of POST /api/orders.</summary>
public sealed record PlaceOrderRequest(string? IdentityId, string? EngagementId, string? Level, string? StartDate, string? Comment)
{
    public PlaceOrderCommand ToCommand() => new(IdentityId, EngagementId, Level, StartDate, Comment);
}

public sealed record OrderAccepted(string OrderId, OrderStatus Status);

/// <summary>One step of an order's history; <see cref="Actor"/> is an HSA-id, "system", or (R10) the protected wording.</summary>
public sealed record OrderHistoryEntry(string Step, DateTimeOffset At, string Actor);

/// <summary>An order as its reader may see it: <see cref="IdentityId"/> is null for a person protected from them (R10).</summary>
public sealed record OrderView(
    string OrderId, OrderStatus Status, string? IdentityId, string EngagementId, string Level,
    string StartDate, string ActivationDate, IReadOnlyList<OrderHistoryEntry> History);

/// <summary>
/// POST /api/orders, GET /api/orders/{id}, POST /api/orders/{id}/cancel: HTTP onto <see cref="OrderPlacement"/>,
/// <see cref="OrderQueries"/> and <see cref="OrderCancellation"/>, which check the caller and the input completely
/// before their first write, so a rejected request changes nothing.
/// </summary>
public sealed class OrderEndpoints(
    CallerResolver callers,
    PersonNames names,
    OrderQueries queries,
    OrderPlacement placement,
    OrderCancellation cancellation)
{
    public async Task<IResult> PlaceAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<PlaceOrderRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (order, refusal) = await placement.PlaceAsync(incoming.Caller, incoming.Body.ToCommand(), durable, cancellationToken);
        return order is null
            ? refusal!
            : Results.Json(new OrderAccepted(order.OrderId, order.Status), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> GetAsync(HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        if (await queries.FindVisibleWithHistoryAsync(caller, orderId, cancellationToken) is not { } stored)
        {
            return OrderCancellation.NotFound(orderId);
        }

        // R10 for everyone the order names: the person it is about and whoever acted on it.
        var order = stored.Order;
        Dictionary<string, PersonName> named = new(StringComparer.Ordinal);
        async Task<PersonName> NameAsync(string hsaId) =>
            named.TryGetValue(hsaId, out var known) ? known : named[hsaId] = await names.OfAsync(caller.Reader, hsaId, cancellationToken);
        List<OrderHistoryEntry> history = [];
        foreach (var entry in stored.History)
        {
            var actor = entry.Actor == OrderStep.System ? null : await NameAsync(entry.Actor);
            history.Add(new OrderHistoryEntry(entry.Step, entry.At, actor is null ? entry.Actor : actor.HsaId ?? actor.Name));
        }

        return Results.Json(new OrderView(order.OrderId, order.Status, (await NameAsync(order.IdentityId)).HsaId, order.EngagementId, order.Level,
            DirectoryRepository.Format(order.StartDate)!, DirectoryRepository.Format(order.ActivationDate)!, history), JsonBody.Options);
    }

    public async Task<IResult> CancelAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (caller, problem) = await callers.ResolveForChangeAsync(request, cancellationToken);
        if (caller is null)
        {
            return problem!;
        }

        var (cancelled, refusal) = await cancellation.CancelAsync(caller, orderId, durable, cancellationToken);
        return cancelled is null
            ? refusal!
            : Results.Json(new OrderAccepted(cancelled.OrderId, OrderStatus.Cancelled), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
