using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Behorighetsportal.Telemetry;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>What became of a manager's decision on an order.</summary>
/// <param name="Recorded">This decision is the one stored (first decision wins).</param>
/// <param name="Delivered">The order's workflow has it (or needs it no more).</param>
/// <param name="RepeatOfOwn">The caller's own stored decision sent again while the order still waits for it.</param>
public sealed record OrderApprovalResult(Order Current, bool Recorded, bool Delivered, bool RepeatOfOwn);

/// <summary>
/// Records the line manager's (or a delegate's) decision on an order and hands it to the order's workflow: one step for
/// the emailed link and the approvals page. Who may decide is checked by the caller of this step (the link gate, or the
/// approvals queue and the manager role now).
/// </summary>
public sealed class OrderApprovals(OrderRepository orders, TimeProvider clock, ILogger<OrderApprovals> logger)
{
    public async Task<OrderApprovalResult> DecideAsync(
        Caller caller, Order order, Engagement engagement, DecisionOutcome outcome, string? reason, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var approver = caller.HsaId;

        // "Approved by X as delegate of Y" (R8, R12): the manager whose role a delegate used is kept with the decision.
        var onBehalfOf = approver == engagement.ManagerHsaId ? null : engagement.ManagerHsaId;
        var decision = new Decision(outcome, approver, clock.GetUtcNow(), onBehalfOf);
        var detail = string.Join(", ", new[] { onBehalfOf is null ? null : "som delegat för " + onBehalfOf, reason is null ? null : "motivering: " + reason }.OfType<string>());
        var (current, recorded) = await orders.DecideApprovalAsync(order, decision,
            new AuditEntry(order.OrderId, decision.At, outcome == DecisionOutcome.Approved ? "ApprovalGiven" : "ApprovalRefused", approver,
                detail.Length == 0 ? null : detail), cancellationToken);
        if (recorded)
        {
            OrderLog.Decided(logger, order.OrderId, DecisionKind.Approval, outcome, approver);
            PortalTelemetry.ApprovalRecorded(order.OrderId, outcome);
        }

        // Also on a second click: while the order still waits, the stored decision is raised again, in case
        // the first delivery failed. The orchestrator takes the first event it sees; a repeat is harmless.
        var delivered = current.Approval is null || current.Status != OrderStatus.PendingApproval
            || await DurableSignals.TryRaiseAsync(durable, order.OrderId, OrderEvents.ApprovalDecided,
                new DecisionEvent(current.Approval.Outcome, current.Approval.By), logger, cancellationToken);

        var repeatOfOwn = current is { Status: OrderStatus.PendingApproval, Approval: { } held } && held.By == approver && held.Outcome == outcome;
        return new OrderApprovalResult(current, recorded, delivered, repeatOfOwn);
    }
}
