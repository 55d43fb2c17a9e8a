using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>Durations read from settings when the order is placed, so a running order keeps its own.</summary>
public sealed record OrderTimeouts(TimeSpan ApprovalReminderAfter, TimeSpan ApprovalExpiresAfter, TimeSpan AttestationExpiresAfter);

/// <summary>What the orchestrator needs to know up front; everything else it reads through activities.</summary>
/// <remarks>Assignment-policy orders need neither approval nor attestation (R3, R5).</remarks>
public sealed record OrderLifecycleInput(string OrderId, bool RequiresApproval, DateTime ActivationAtUtc, OrderTimeouts Timeouts, bool RequiresAttestation = true)
{
    /// <summary>
    /// The workflow for an order from where it stands: a new order from its start, one whose workflow never started
    /// (<see cref="ResumeOrphanedOrdersActivity"/>) from its status. Durations come from today's settings.
    /// </summary>
    public static OrderLifecycleInput For(Order order, WorkflowOptions settings) => new(
        order.OrderId,
        RequiresApproval: order.Status == OrderStatus.PendingApproval && order.RequiresApproval,
        StockholmTime.StartOfDayUtc(order.ActivationDate),
        new OrderTimeouts(settings.ApprovalReminderAfter, settings.ApprovalExpiresAfter, settings.AttestationExpiresAfter),
        RequiresAttestation: order.Status is OrderStatus.PendingApproval or OrderStatus.PendingAttestation);
}

/// <summary>
/// The life of one order, instance id = order id:
/// approval by the line manager (R2, with reminder and expiry) → financial attestation (R3, with expiry) →
/// a durable timer to 00:00 Europe/Stockholm of the activation date (R4) → activation with a provisioning
/// message → the initial-password email (R6). A cancellation can end it at any wait.
/// Deterministic: only context time and timers; every read and write is an activity.
/// </summary>
public sealed class OrderLifecycleOrchestrator : TaskOrchestrator<OrderLifecycleInput, OrderStatus>
{
    private const int MaxStartDateWaits = 5;

    public override async Task<OrderStatus> RunAsync(TaskOrchestrationContext context, OrderLifecycleInput input)
    {
        var log = context.CreateReplaySafeLogger<OrderLifecycleOrchestrator>();
        var orderId = input.OrderId;

        if (input.RequiresApproval)
        {
            var deadline = context.CurrentUtcDateTime + input.Timeouts.ApprovalExpiresAfter;
            await context.CallActivityAsync(nameof(RequestApprovalActivity), new ApprovalRequest(orderId, deadline, Reminder: false), ActivityRetry.Options);

            var approval = await WaitForDecisionAsync(
                context, orderId, DecisionKind.Approval, deadline,
                remindAt: context.CurrentUtcDateTime + input.Timeouts.ApprovalReminderAfter,
                remind: () => context.CallActivityAsync(nameof(RequestApprovalActivity), new ApprovalRequest(orderId, deadline, Reminder: true), ActivityRetry.Options));
            if (approval is not { Outcome: DecisionOutcome.Approved })
            {
                return await EndAsync(context, orderId, approval, "Approval");
            }

            if (!await StepAsync(context, new OrderStep(orderId, OrderStatus.PendingAttestation, "Approved", approval.By, context.CurrentUtcDateTime)))
            {
                return OrderStatus.Cancelled;
            }
        }

        if (input.RequiresAttestation)
        {
            var attestationDeadline = context.CurrentUtcDateTime + input.Timeouts.AttestationExpiresAfter;
            var attestation = await WaitForDecisionAsync(context, orderId, DecisionKind.Attestation, attestationDeadline, remindAt: null, remind: null);
            if (attestation is not { Outcome: DecisionOutcome.Approved })
            {
                return await EndAsync(context, orderId, attestation, "Attestation");
            }

            if (!await StepAsync(context, new OrderStep(orderId, OrderStatus.WaitingForStartDate, "Attested", attestation.By, context.CurrentUtcDateTime)))
            {
                return OrderStatus.Cancelled;
            }
        }

        // R4: never before the engagement's start date, at 00:00 Europe/Stockholm. The date was computed when the
        // order was placed; if KiV has moved the start since, activation answers with the new instant and the
        // order waits again (a few times at most: a start that keeps moving needs a person to look at it).
        var activateAt = input.ActivationAtUtc;
        ActivationResult activation = new(ActivationOutcome.NotYetStarted, false, activateAt);
        for (var attempt = 0; attempt < MaxStartDateWaits && activation.Outcome == ActivationOutcome.NotYetStarted; attempt++)
        {
            if (!await WaitForStartDateAsync(context, activation.NotBeforeUtc ?? activateAt))
            {
                return await EndAsync(context, orderId, null, "StartDate");
            }

            activation = await context.CallActivityAsync<ActivationResult>(
                nameof(ActivateUserServiceActivity), new ActivationRequest(orderId, context.CurrentUtcDateTime), ActivityRetry.Options);
        }

        if (activation.Outcome != ActivationOutcome.Activated)
        {
            OrderLog.NotActivated(log, orderId, activation.Outcome);
            var reason = activation.Outcome == ActivationOutcome.EngagementEnded ? "EngagementEnded" : "StartDateKeptMoving";
            if (activation.Outcome is ActivationOutcome.EngagementEnded or ActivationOutcome.NotYetStarted
                && await StepAsync(context, new OrderStep(orderId, OrderStatus.Cancelled, reason, OrderStep.System, context.CurrentUtcDateTime)))
            {
                await context.CallActivityAsync(nameof(NotifyOrdererActivity), new OrdererNotice(orderId, OrderStatus.Cancelled), ActivityRetry.Options);
            }

            return OrderStatus.Cancelled;
        }

        // Activation recorded the Active step itself, in the same write that made the order active.
        if (activation.NeedsInitialPassword)
        {
            await context.CallActivityAsync(nameof(SendInitialPasswordNoticeActivity), new PasswordNoticeRequest(orderId, context.CurrentUtcDateTime), ActivityRetry.Options);
        }

        OrderLog.LifecycleCompleted(log, orderId);
        return OrderStatus.Active;
    }

    /// <summary>Waits for the activation instant or a cancellation; false when cancelled.</summary>
    private static async Task<bool> WaitForStartDateAsync(TaskOrchestrationContext context, DateTime activateAt)
    {
        using var waiting = new CancellationTokenSource();
        var due = context.CreateTimer(activateAt, waiting.Token);
        var cancel = context.WaitForExternalEvent<DecisionEvent>(OrderEvents.CancelRequested, waiting.Token);
        var winner = await Task.WhenAny(due, cancel);
        waiting.Cancel();
        return winner == due;
    }

    /// <summary>
    /// Waits for a decision, a cancellation or the deadline, whichever comes first, and cancels the rest.
    /// Returns null when the order was cancelled.
    /// </summary>
    private static async Task<DecisionEvent?> WaitForDecisionAsync(
        TaskOrchestrationContext context,
        string orderId,
        DecisionKind kind,
        DateTime deadline,
        DateTime? remindAt,
        Func<Task>? remind)
    {
        using var waiting = new CancellationTokenSource();
        var decided = context.WaitForExternalEvent<DecisionEvent>(
            kind == DecisionKind.Approval ? OrderEvents.ApprovalDecided : OrderEvents.AttestationDecided, waiting.Token);
        var cancelled = context.WaitForExternalEvent<DecisionEvent>(OrderEvents.CancelRequested, waiting.Token);
        var expired = context.CreateTimer(deadline, waiting.Token);
        var reminder = remindAt is { } at && at < deadline ? context.CreateTimer(at, waiting.Token) : null;

        Task[] racing = reminder is null ? [decided, cancelled, expired] : [decided, cancelled, expired, reminder];
        var winner = await Task.WhenAny(racing);
        if (winner == reminder)
        {
            // One reminder per approval; then the decision, a cancellation or the deadline.
            await remind!();
            winner = await Task.WhenAny(decided, cancelled, expired);
        }

        waiting.Cancel();
        if (winner == decided)
        {
            return await decided;
        }

        if (winner == cancelled)
        {
            return null;
        }

        // The deadline passed: close the decision in storage. A decision stored just before (its event
        // still on the way) holds, and so does a cancellation.
        var closed = await context.CallActivityAsync<ClosedDecision>(
            nameof(ExpireDecisionActivity), new ExpireDecisionRequest(orderId, kind, context.CurrentUtcDateTime), ActivityRetry.Options);
        return closed.Cancelled ? null : new DecisionEvent(closed.Decision!.Outcome, closed.Decision.By);
    }

    /// <summary>Ends an order that was rejected, expired or cancelled, and tells the orderer when it was not their doing.</summary>
    private static async Task<OrderStatus> EndAsync(TaskOrchestrationContext context, string orderId, DecisionEvent? decision, string stage)
    {
        var (status, step) = decision?.Outcome switch
        {
            DecisionOutcome.Rejected => (OrderStatus.Rejected, stage + "Rejected"),
            DecisionOutcome.Expired => (OrderStatus.Expired, stage + "Expired"),
            _ => (OrderStatus.Cancelled, "Cancelled"),
        };
        if (status == OrderStatus.Cancelled)
        {
            // Whoever cancelled has recorded it on the order and in the audit log already.
            return status;
        }

        if (!await StepAsync(context, new OrderStep(orderId, status, step, decision!.By, context.CurrentUtcDateTime)))
        {
            // A cancellation won the race: the orderer knows, and a rejection notice would contradict it.
            return OrderStatus.Cancelled;
        }

        await context.CallActivityAsync(nameof(NotifyOrdererActivity), new OrdererNotice(orderId, status), ActivityRetry.Options);
        return status;
    }

    /// <summary>Records a step; false when the order had already ended (a cancellation won).</summary>
    private static async Task<bool> StepAsync(TaskOrchestrationContext context, OrderStep step)
    {
        var status = await context.CallActivityAsync<OrderStatus>(nameof(RecordOrderStepActivity), step, ActivityRetry.Options);
        return status == step.Status;
    }
}
