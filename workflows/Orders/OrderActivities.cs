using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Http;
using Behorighetsportal.Storage;
using Behorighetsportal.Links;
using Behorighetsportal.Requests;
using Behorighetsportal.Telemetry;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Orders;

// The side effects of OrderLifecycleOrchestrator, in the order the lifecycle meets them. Activities run at
// least once: each is safe to repeat (conditional writes, audit rows keyed by step and time, a one-time
// mark once an email has gone).

/// <summary>
/// Emails everyone who holds the line manager's role today — the manager and active delegates (R2, R8) — a
/// signed link of their own to approve or reject; later, a reminder.
/// </summary>
public sealed class RequestApprovalActivity(
    OrderRepository orders, DirectoryRepository directory, CallerResolver callers, AccessRequestRepository pending, AuditLog audit, IEmailSender email, OneTimeActions once,
    LinkSigner links, IOptions<PortalOptions> portal, ServiceLevelCatalog levels, TimeProvider clock, ILogger<RequestApprovalActivity> logger)
    : TaskActivity<ApprovalRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ApprovalRequest input)
    {
        var order = await orders.GetAsync(input.OrderId) ?? throw new InvalidOperationException($"Order {input.OrderId} not found.");
        if (order.Status != OrderStatus.PendingApproval || order.Approval is not null)
        {
            return false;
        }

        var target = await directory.GetPersonAsync(order.IdentityId) ?? throw new InvalidOperationException($"Order {order.OrderId}: identity not in the directory.");
        var orderer = order.OrdererId == order.IdentityId
            ? target.Identity
            : await directory.GetIdentityAsync(order.OrdererId) ?? throw new InvalidOperationException($"Order {order.OrderId}: orderer not in the directory.");
        var engagement = target.FindEngagement(order.EngagementId) ?? throw new InvalidOperationException($"Order {order.OrderId}: engagement not in the directory.");
        var managerId = engagement.ManagerHsaId ?? order.ApproverId!;
        var manager = await directory.GetIdentityAsync(managerId) ?? throw new InvalidOperationException($"Order {order.OrderId}: manager not in the directory.");
        var unit = (await directory.GetOrgTreeAsync()).Find(engagement.OrgUnitId)?.Name ?? engagement.OrgUnitId;
        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(input.ExpiresAtUtc, DateTimeKind.Utc));
        await pending.AddPendingAsync(new PendingApproval(managerId, "Order", order.OrderId, order.IdentityId,
            $"Användartjänst {order.Level} för {target.Identity.FullName}, aktiveras tidigast {DirectoryRepository.Format(order.ActivationDate)}", order.PlacedAt));

        var sent = false;
        foreach (var (holderId, asDelegate) in await callers.ManagerRoleHoldersAsync(managerId, CancellationToken.None))
        {
            var recipient = asDelegate ? await directory.GetIdentityAsync(holderId) : manager;
            if (recipient is null)
            {
                continue;
            }

            var action = (input.Reminder ? "approval-reminder|" : "approval-request|") + holderId;
            sent |= await once.RunOnceAsync(order.OrderId, action, clock.GetUtcNow(), async () =>
            {
                var token = links.Sign(new LinkToken(LinkPurpose.Approval, order.OrderId, recipient.HsaId, expiresAt));
                await email.SendAsync(OrderEmails.ApprovalRequest(
                    recipient, asDelegate ? manager : null, target.Identity, engagement, unit, orderer, order, levels.Find(order.Level)!,
                    portal.Value.Link("/api/approvals/" + token), expiresAt, input.Reminder));
                await audit.AppendAsync(new AuditEntry(order.OrderId, clock.GetUtcNow(),
                    input.Reminder ? "ApprovalReminderSent" : "ApprovalRequested", OrderStep.System,
                    "Till " + recipient.HsaId + (asDelegate ? " som delegat för " + managerId : "")));
            });
        }

        OrderLog.ApprovalRequested(logger, order.OrderId, input.Reminder);
        return sent;
    }
}

/// <summary>Moves the order to its next status with the step in its history (R12), in one transaction.</summary>
public sealed class RecordOrderStepActivity(OrderRepository orders, ILogger<RecordOrderStepActivity> logger)
    : TaskActivity<OrderStep, OrderStatus>
{
    public override async Task<OrderStatus> RunAsync(TaskActivityContext context, OrderStep input)
    {
        var step = new AuditEntry(input.OrderId, new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc)), input.Step, input.Actor, input.Detail);
        var (order, _) = await orders.MoveToAsync(input.OrderId, input.Status, step);
        if (order.Status != input.Status)
        {
            // The order ended meanwhile (a cancellation won); the orchestrator stops on seeing this.
            return order.Status;
        }

        if (order.Status.IsFinal())
        {
            await orders.ReleaseClaimAsync(order);
        }

        OrderLog.StepRecorded(logger, input.OrderId, input.Step, input.Status);
        PortalTelemetry.OrderStepRecorded(input.OrderId, order.Status);
        return order.Status;
    }
}

/// <summary>
/// Closes an approval or attestation whose deadline passed. A decision stored a moment earlier (its event
/// still on the way) is kept, and so is a cancellation.
/// </summary>
public sealed class ExpireDecisionActivity(OrderRepository orders) : TaskActivity<ExpireDecisionRequest, ClosedDecision>
{
    public override async Task<ClosedDecision> RunAsync(TaskActivityContext context, ExpireDecisionRequest input)
    {
        var expired = new Decision(DecisionOutcome.Expired, OrderStep.System, new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc)));
        var (order, _) = input.Kind == DecisionKind.Approval
            ? await orders.DecideApprovalAsync(input.OrderId, expired)
            : await orders.DecideAttestationAsync(input.OrderId, expired);
        if (order.Status == OrderStatus.Cancelled)
        {
            return new ClosedDecision(null, Cancelled: true);
        }

        return new ClosedDecision(input.Kind == DecisionKind.Approval ? order.Approval : order.Attestation, Cancelled: false);
    }
}

/// <summary>Tells the orderer that their order was rejected, expired, or cancelled because the engagement ended.</summary>
public sealed class NotifyOrdererActivity(
    OrderRepository orders, DirectoryRepository directory, IEmailSender email, OneTimeActions once, TimeProvider clock, ILogger<NotifyOrdererActivity> logger)
    : TaskActivity<OrdererNotice, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, OrdererNotice input)
    {
        var order = await orders.GetAsync(input.OrderId) ?? throw new InvalidOperationException($"Order {input.OrderId} not found.");
        var orderer = await directory.GetIdentityAsync(order.OrdererId);
        var target = await directory.GetIdentityAsync(order.IdentityId);
        if (orderer is null || target is null)
        {
            return false;
        }

        var sent = await once.RunOnceAsync(order.OrderId, "orderer-notice|" + input.Outcome, clock.GetUtcNow(),
            () => email.SendAsync(OrderEmails.OrdererNotice(orderer, target, order, input.Outcome)));
        OrderLog.OrdererNotified(logger, order.OrderId, input.Outcome);
        return sent;
    }
}

/// <summary>Switches the user service on (R4) and queues it for the AD connector, exactly once per order (<see cref="OrderActivation"/>).</summary>
public sealed class ActivateUserServiceActivity(OrderRepository orders, DirectoryRepository directory, OrderActivation activation)
    : TaskActivity<ActivationRequest, ActivationResult>
{
    public override async Task<ActivationResult> RunAsync(TaskActivityContext context, ActivationRequest input)
    {
        var order = await orders.GetAsync(input.OrderId) ?? throw new InvalidOperationException($"Order {input.OrderId} not found.");
        var person = order.Status == OrderStatus.Active ? null : await directory.GetPersonAsync(order.IdentityId);
        return await activation.ActivateAsync(order, person, new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc)));
    }
}

/// <summary>R6: the initial-password notice to the holders of the manager's role (<see cref="InitialPasswordNotice"/>).</summary>
public sealed class SendInitialPasswordNoticeActivity(OrderRepository orders, DirectoryRepository directory, InitialPasswordNotice notice)
    : TaskActivity<PasswordNoticeRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, PasswordNoticeRequest input)
    {
        var order = await orders.GetAsync(input.OrderId) ?? throw new InvalidOperationException($"Order {input.OrderId} not found.");
        var person = await directory.GetPersonAsync(order.IdentityId) ?? throw new InvalidOperationException($"Order {order.OrderId}: identity not in the directory.");
        return await notice.SendAsync(order, person, new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc)));
    }
}
