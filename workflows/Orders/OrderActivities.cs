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
/// Emails everyone who may decide the order with the line manager's role today — the manager and active delegates (R2,
/// R8), never the person the order is about (R14) — a signed link of their own to approve or reject; later, a reminder.
/// Every person the email names is named as that recipient may see them (R10).
/// </summary>
public sealed class RequestApprovalActivity(
    OrderRepository orders, DirectoryRepository directory, CallerResolver callers, PersonNames names, AccessRequestRepository pending, AuditLog audit,
    IEmailSender email, OneTimeActions once, LinkSigner links, IOptions<PortalOptions> portal, ServiceLevelCatalog levels, TimeProvider clock,
    ILogger<RequestApprovalActivity> logger)
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
        if (order.OrdererId != order.IdentityId && await directory.GetIdentityAsync(order.OrdererId) is null)
        {
            throw new InvalidOperationException($"Order {order.OrderId}: orderer not in the directory.");
        }

        var engagement = target.FindEngagement(order.EngagementId) ?? throw new InvalidOperationException($"Order {order.OrderId}: engagement not in the directory.");
        var managerId = engagement.ManagerHsaId ?? order.ApproverId!;
        var manager = await directory.GetIdentityAsync(managerId) ?? throw new InvalidOperationException($"Order {order.OrderId}: manager not in the directory.");

        var unit = (await directory.GetOrgTreeAsync()).Find(engagement.OrgUnitId)?.Name ?? engagement.OrgUnitId;
        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(input.ExpiresAtUtc, DateTimeKind.Utc));

        // The list names nobody: GET /api/me/approvals names the person for whoever reads it.
        await pending.AddPendingAsync(new PendingApproval(managerId, "Order", order.OrderId, order.IdentityId,
            $"Användartjänst {order.Level}, aktiveras tidigast {DirectoryRepository.Format(order.ActivationDate)}", order.PlacedAt));

        var sent = false;
        var today = StockholmTime.Today(clock);
        foreach (var (holderId, asDelegate) in await callers.ApproversAsync(managerId, order.IdentityId, CancellationToken.None))
        {
            var recipient = asDelegate ? await directory.GetIdentityAsync(holderId) : manager;
            if (recipient is null)
            {
                continue;
            }

            var action = (input.Reminder ? "approval-reminder|" : "approval-request|") + holderId;
            sent |= await once.RunOnceAsync(order.OrderId, action, clock.GetUtcNow(), async () =>
            {
                // The recipient read as the holder of this manager's role, without their other delegations: every order
                // pays for this email, and a protected orderer seen only through another delegation is left unnamed.
                var reader = Reader.HolderOf(holderId, managerId, asDelegate, today);
                var orderer = order.OrdererId == order.IdentityId ? PersonNames.Of(reader, target) : await names.OfAsync(reader, order.OrdererId);
                var onBehalfOf = asDelegate ? await names.OfAsync(reader, managerId) : null;
                var token = links.Sign(new LinkToken(LinkPurpose.Approval, order.OrderId, recipient.HsaId, expiresAt));
                await email.SendAsync(OrderEmails.ApprovalRequest(
                    recipient, onBehalfOf, PersonNames.Of(reader, target), engagement, unit, orderer, order, levels.Find(order.Level)!,
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
public sealed class NotifyOrdererActivity(OrderRepository orders, OrdererNotifier notifier, ILogger<NotifyOrdererActivity> logger)
    : TaskActivity<OrdererNotice, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, OrdererNotice input)
    {
        var order = await orders.GetAsync(input.OrderId) ?? throw new InvalidOperationException($"Order {input.OrderId} not found.");
        var sent = await notifier.SendAsync(order, input.Outcome);
        OrderLog.OrdererNotified(logger, order.OrderId, input.Outcome);
        return sent;
    }
}

/// <summary>
/// The email that tells the orderer how their order ended, once per outcome, naming the person it was for as the
/// orderer may see them now (R10): shared by the order's workflow and the engagement's end.
/// </summary>
public sealed class OrdererNotifier(CallerResolver callers, PersonNames names, IEmailSender email, OneTimeActions once, TimeProvider clock)
{
    /// <summary>False when nothing went out now (the orderer is not in the directory, or it was sent before).</summary>
    public async Task<bool> SendAsync(Order order, OrderStatus outcome, CancellationToken cancellationToken = default)
    {
        if (await callers.ResolveAsync(order.OrdererId, cancellationToken) is not { } orderer)
        {
            return false;
        }

        return await once.RunOnceAsync(order.OrderId, "orderer-notice|" + outcome, clock.GetUtcNow(), async () =>
        {
            var target = await names.OfAsync(orderer.Reader, order.IdentityId, cancellationToken);
            await email.SendAsync(OrderEmails.OrdererNotice(orderer.Person.Identity, target, order, outcome), cancellationToken);
        }, cancellationToken);
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
