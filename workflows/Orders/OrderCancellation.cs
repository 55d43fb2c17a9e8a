using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Behorighetsportal.Policies;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>
/// A person cancelling an order (POST /api/orders/{id}/cancel and the order page alike): only its orderer or whoever
/// holds the engagement's manager role, only before it is final; the claim released and the workflow told.
/// </summary>
public sealed class OrderCancellation(
    DirectoryRepository directory, OrderRepository orders, OrderQueries queries, TimeProvider clock, ILogger<OrderCancellation> logger)
{
    /// <summary>Whether <paramref name="caller"/> may cancel <paramref name="order"/> now — what the page offers.</summary>
    public async Task<bool> MayCancelAsync(Caller caller, Order order, CancellationToken cancellationToken) =>
        !order.Status.IsFinal() && await IsOrdererOrManagerAsync(caller, order, cancellationToken);

    /// <summary>Cancels the order, or says why not. A repeat of one's own cancellation is answered as done.</summary>
    public async Task<(Order? Cancelled, Refusal? Refusal)> CancelAsync(Caller caller, string orderId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var order = await queries.FindVisibleAsync(caller, orderId, cancellationToken);
        if (order is null)
        {
            return (null, NotFound(orderId));
        }

        if (!await IsOrdererOrManagerAsync(caller, order, cancellationToken))
        {
            return (null, Problems.Forbidden("Bara den som beställde och medarbetarens närmaste chef (eller chefens delegat) kan avbryta beställningen."));
        }

        var (current, recorded) = await orders.CancelAsync(order.OrderId, caller.HsaId,
            new AuditEntry(order.OrderId, clock.GetUtcNow(), "Cancelled", caller.HsaId), cancellationToken);
        var retryOfOwnCancel = !recorded && current.Status == OrderStatus.Cancelled && current.CancelledBy == caller.HsaId;
        if (!recorded && !retryOfOwnCancel)
        {
            return (null, Problems.Conflict("Beställningen kan inte avbrytas",
                $"Beställningen har status \"{current.Status.InSwedish()}\" och kan inte längre avbrytas. Bara beställningar som inte är aktiva kan avbrytas."));
        }

        if (recorded)
        {
            await orders.ReleaseClaimAsync(current, cancellationToken);
            OrderLog.Cancelled(logger, order.OrderId, caller.HsaId);
        }

        // A policy order due at once is activated together with others and has no workflow of its own
        // (ActivatePolicyOrdersActivity): the cancellation stored above is all it reads.
        if (!await DurableSignals.TryRaiseAsync(durable, order.OrderId, OrderEvents.CancelRequested,
                new DecisionEvent(DecisionOutcome.Rejected, caller.HsaId), logger, cancellationToken)
            && !(PolicyRules.IsPolicyOrder(order.OrderId) && await durable.GetInstanceAsync(order.OrderId, cancellationToken) is null))
        {
            return (null, Problems.TryAgain("Beställningen är avbruten men arbetsflödet kunde inte nås just nu. Skicka avbrottet igen om en stund."));
        }

        return (current, null);
    }

    /// <summary>What an unknown order and one the caller may not see both answer (R10).</summary>
    public static Refusal NotFound(string orderId) => Problems.NotFound("Beställningen finns inte",
        $"Det finns ingen beställning {orderId} som du kan se. Kontrollera beställningsnumret.");

    private async Task<bool> IsOrdererOrManagerAsync(Caller caller, Order order, CancellationToken cancellationToken)
    {
        if (caller.HsaId == order.OrdererId)
        {
            return true;
        }

        var managerId = (await directory.GetPersonAsync(order.IdentityId, cancellationToken))?.FindEngagement(order.EngagementId)?.ManagerHsaId;
        return caller.ActsAsManager(managerId);
    }
}
