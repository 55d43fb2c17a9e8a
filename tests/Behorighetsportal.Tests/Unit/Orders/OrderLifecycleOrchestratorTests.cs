using Behorighetsportal.Orders;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Orders;

/// <summary>
/// The branches of the order lifecycle (R2, R3, R4, R6) against a strict mocked orchestration context; see
/// <see cref="OrchestrationHarness"/>. Times: the order starts at <see cref="OrchestrationHarness.Start"/>,
/// reminder after 3 days, approval deadline after 14, attestation deadline after 30.
/// </summary>
public sealed class OrderLifecycleOrchestratorTests
{
    private static readonly DateTime ApprovalDeadline = OrchestrationHarness.Start.AddDays(14);
    private static readonly DateTime ReminderAt = OrchestrationHarness.Start.AddDays(3);
    private static readonly DateTime AttestationDeadline = OrchestrationHarness.Start.AddDays(30);

    private readonly OrchestrationHarness _harness = new();

    [Fact]
    public void RunAsync_NoApprovalNeeded_WaitsForAttestationOnly()
    {
        // Arrange
        var input = OrchestrationHarness.Input(requiresApproval: false);

        // Act
        var run = _harness.Run(input);

        // Assert
        Assert.False(run.IsCompleted);
        Assert.Empty(_harness.Activities);
        Assert.True(_harness.IsWaitingFor(OrderEvents.AttestationDecided));
        Assert.True(_harness.IsWaitingFor(OrderEvents.CancelRequested));
        Assert.DoesNotContain(_harness.EventWaits, w => w.Name == OrderEvents.ApprovalDecided);
        Assert.Equal(AttestationDeadline, Assert.Single(_harness.Timers).FireAt);
    }

    [Fact]
    public async Task RunAsync_NoApprovalNeededAndAttested_ActivatesOnStartDate()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input(requiresApproval: false));

        // Act
        _harness.Attest();
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Active, status);
        Assert.Equal(
            [nameof(RecordOrderStepActivity), nameof(ActivateUserServiceActivity), nameof(SendInitialPasswordNoticeActivity)],
            _harness.ActivityNames);
        Assert.Equal([OrderStatus.WaitingForStartDate], _harness.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task RunAsync_ApprovedAttestedAndStartDateReached_ActivatesAndSendsPasswordNotice()
    {
        // Arrange
        _harness.Activation = new ActivationResult(ActivationOutcome.Activated, NeedsInitialPassword: true);
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Approve();
        _harness.Attest();
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Active, status);
        Assert.Equal(
            [
                nameof(RequestApprovalActivity),
                nameof(RecordOrderStepActivity),
                nameof(RecordOrderStepActivity),
                nameof(ActivateUserServiceActivity),
                nameof(SendInitialPasswordNoticeActivity),
            ],
            _harness.ActivityNames);

        // Activation records the Active step itself, in the write that makes the order active.
        Assert.Collection(
            _harness.Steps,
            s => Assert.Equal((OrderStatus.PendingAttestation, "Approved", OrchestrationHarness.ManagerId), (s.Status, s.Step, s.Actor)),
            s => Assert.Equal((OrderStatus.WaitingForStartDate, "Attested", OrchestrationHarness.AttestantId), (s.Status, s.Step, s.Actor)));
        Assert.All(_harness.Steps, s => Assert.Equal(OrchestrationHarness.OrderId, s.OrderId));
        Assert.Equal(OrchestrationHarness.OrderId, Assert.Single(_harness.InputsOf<PasswordNoticeRequest>(nameof(SendInitialPasswordNoticeActivity))).OrderId);
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public async Task RunAsync_ActivatedWithoutPasswordNeed_NoPasswordNotice()
    {
        // Arrange: the earlier password still holds (R6, demo Karin)
        _harness.Activation = new ActivationResult(ActivationOutcome.Activated, NeedsInitialPassword: false);
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Approve();
        _harness.Attest();
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Active, status);
        Assert.DoesNotContain(nameof(SendInitialPasswordNoticeActivity), _harness.ActivityNames);
        Assert.Equal(nameof(ActivateUserServiceActivity), _harness.ActivityNames[^1]);
    }

    [Fact]
    public async Task RunAsync_ApprovalRejected_RecordsRejectedAndNotifiesOrdererWithoutAttestationWait()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Raise(OrderEvents.ApprovalDecided, new DecisionEvent(DecisionOutcome.Rejected, OrchestrationHarness.ManagerId));
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Rejected, status);
        var step = Assert.Single(_harness.Steps);
        Assert.Equal((OrderStatus.Rejected, "ApprovalRejected", OrchestrationHarness.ManagerId), (step.Status, step.Step, step.Actor));
        Assert.Equal(new OrdererNotice(OrchestrationHarness.OrderId, OrderStatus.Rejected), Assert.Single(_harness.Notices));
        Assert.DoesNotContain(_harness.EventWaits, w => w.Name == OrderEvents.AttestationDecided);
        Assert.DoesNotContain(nameof(ActivateUserServiceActivity), _harness.ActivityNames);
    }

    [Fact]
    public void RunAsync_DecisionArrives_LosingTimersAndWaitsCancelled()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Approve();

        // Assert: durable timers must be cancelled when an event wins
        Assert.False(run.IsCompleted);
        var approvalStage = _harness.Timers.Where(t => t.FireAt == ApprovalDeadline || t.FireAt == ReminderAt).ToList();
        Assert.Equal(2, approvalStage.Count);
        Assert.All(approvalStage, t => Assert.True(t.Cancelled));
        Assert.True(_harness.EventWaits.First(w => w.Name == OrderEvents.CancelRequested).Cancelled);
        Assert.True(_harness.IsWaitingFor(OrderEvents.CancelRequested));
    }

    [Fact]
    public async Task RunAsync_ApprovalDeadlinePasses_ExpireDecisionCalledAndOrderExpires()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Now = ApprovalDeadline;

        // Act
        _harness.PendingTimer(ApprovalDeadline).Fire();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Expired, status);
        Assert.Equal(
            new ExpireDecisionRequest(OrchestrationHarness.OrderId, DecisionKind.Approval, ApprovalDeadline),
            Assert.Single(_harness.InputsOf<ExpireDecisionRequest>(nameof(ExpireDecisionActivity))));
        var step = Assert.Single(_harness.Steps);
        Assert.Equal((OrderStatus.Expired, "ApprovalExpired", OrderStep.System), (step.Status, step.Step, step.Actor));
        Assert.Equal(new OrdererNotice(OrchestrationHarness.OrderId, OrderStatus.Expired), Assert.Single(_harness.Notices));
        Assert.False(_harness.IsWaitingFor(OrderEvents.ApprovalDecided));
        Assert.DoesNotContain(_harness.EventWaits, w => w.Name == OrderEvents.AttestationDecided);
    }

    [Fact]
    public void RunAsync_DeadlinePassesButApprovalWasStoredJustBefore_Continues()
    {
        // Arrange: the manager approved a moment before the deadline; the event is still on its way
        _harness.ExpireDecision = _ => new ClosedDecision(
            new Decision(DecisionOutcome.Approved, OrchestrationHarness.ManagerId, new DateTimeOffset(ApprovalDeadline.AddSeconds(-1), TimeSpan.Zero)), Cancelled: false);
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.PendingTimer(ApprovalDeadline).Fire();

        // Assert
        Assert.False(run.IsCompleted);
        var step = Assert.Single(_harness.Steps);
        Assert.Equal((OrderStatus.PendingAttestation, "Approved", OrchestrationHarness.ManagerId), (step.Status, step.Step, step.Actor));
        Assert.True(_harness.IsWaitingFor(OrderEvents.AttestationDecided));
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public async Task RunAsync_DeadlinePassesButRejectionWasStoredJustBefore_Rejected()
    {
        // Arrange
        _harness.ExpireDecision = _ => new ClosedDecision(
            new Decision(DecisionOutcome.Rejected, OrchestrationHarness.ManagerId, new DateTimeOffset(ApprovalDeadline, TimeSpan.Zero)), Cancelled: false);
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.PendingTimer(ApprovalDeadline).Fire();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Rejected, status);
        Assert.Equal("ApprovalRejected", Assert.Single(_harness.Steps).Step);
        Assert.Equal(OrderStatus.Rejected, Assert.Single(_harness.Notices).Outcome);
    }

    [Fact]
    public async Task RunAsync_DeadlinePassesAfterCancellationWon_EndsCancelledSilently()
    {
        // Arrange
        _harness.ExpireDecision = _ => new ClosedDecision(null, Cancelled: true);
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.PendingTimer(ApprovalDeadline).Fire();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Empty(_harness.Steps);
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public void RunAsync_ReminderFiresFirst_RemindsOnceThenTakesTheDecision()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());
        var timersBefore = _harness.Timers.Count;

        // Act
        _harness.PendingTimer(ReminderAt).Fire();

        // Assert: a reminder with the same deadline, and still waiting for the manager
        Assert.Equal(
            [
                new ApprovalRequest(OrchestrationHarness.OrderId, ApprovalDeadline, Reminder: false),
                new ApprovalRequest(OrchestrationHarness.OrderId, ApprovalDeadline, Reminder: true),
            ],
            _harness.InputsOf<ApprovalRequest>(nameof(RequestApprovalActivity)));
        Assert.Equal(timersBefore, _harness.Timers.Count);
        Assert.True(_harness.IsWaitingFor(OrderEvents.ApprovalDecided));
        Assert.False(run.IsCompleted);

        // Act
        _harness.Approve();

        // Assert
        Assert.Equal(OrderStatus.PendingAttestation, Assert.Single(_harness.Steps).Status);
        Assert.True(_harness.IsWaitingFor(OrderEvents.AttestationDecided));
        Assert.True(_harness.PendingTimer(AttestationDeadline) is { Cancelled: false });
        Assert.True(_harness.Timers.Single(t => t.FireAt == ApprovalDeadline).Cancelled);
    }

    [Fact]
    public async Task RunAsync_ReminderThenDeadline_Expired()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.PendingTimer(ReminderAt).Fire();
        _harness.PendingTimer(ApprovalDeadline).Fire();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Expired, status);
        Assert.Equal(2, _harness.InputsOf<ApprovalRequest>(nameof(RequestApprovalActivity)).Count);
        Assert.Single(_harness.InputsOf<ExpireDecisionRequest>(nameof(ExpireDecisionActivity)));
    }

    [Fact]
    public void RunAsync_ReminderNotBeforeDeadline_NoReminderTimer()
    {
        // Arrange: reminder after 14 days, deadline after 14 days
        var timeouts = new OrderTimeouts(TimeSpan.FromDays(14), TimeSpan.FromDays(14), TimeSpan.FromDays(30));

        // Act
        var run = _harness.Run(OrchestrationHarness.Input(timeouts: timeouts));

        // Assert
        Assert.False(run.IsCompleted);
        Assert.Equal(ApprovalDeadline, Assert.Single(_harness.Timers).FireAt);
    }

    [Fact]
    public async Task RunAsync_CancelDuringApproval_EndsCancelledWithoutStepOrNotice()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Cancel();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Equal([nameof(RequestApprovalActivity)], _harness.ActivityNames);
        Assert.All(_harness.Timers, t => Assert.True(t.Cancelled));
        Assert.True(_harness.EventWaits.Single(w => w.Name == OrderEvents.ApprovalDecided).Cancelled);
    }

    [Fact]
    public async Task RunAsync_CancelDuringAttestation_EndsCancelledWithoutNotice()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Approve();

        // Act
        _harness.Cancel();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Equal(OrderStatus.PendingAttestation, Assert.Single(_harness.Steps).Status);
        Assert.Empty(_harness.Notices);
        Assert.True(_harness.Timers.Single(t => t.FireAt == AttestationDeadline).Cancelled);
    }

    [Fact]
    public async Task RunAsync_CancelWhileWaitingForStartDate_NoActivation()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Approve();
        _harness.Attest();

        // Act
        _harness.Cancel();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.DoesNotContain(nameof(ActivateUserServiceActivity), _harness.ActivityNames);
        Assert.DoesNotContain(nameof(SendInitialPasswordNoticeActivity), _harness.ActivityNames);
        Assert.Empty(_harness.Notices);
        Assert.True(_harness.Timers.Single(t => t.FireAt == OrchestrationHarness.ActivationAt).Cancelled);
    }

    [Fact]
    public async Task RunAsync_ActivationFindsEngagementEnded_RecordsCancelledAndNotifiesOrderer()
    {
        // Arrange
        _harness.Activation = new ActivationResult(ActivationOutcome.EngagementEnded, NeedsInitialPassword: false);
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Approve();
        _harness.Attest();

        // Act
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        var last = _harness.Steps[^1];
        Assert.Equal((OrderStatus.Cancelled, "EngagementEnded", OrderStep.System), (last.Status, last.Step, last.Actor));
        Assert.Equal(new OrdererNotice(OrchestrationHarness.OrderId, OrderStatus.Cancelled), Assert.Single(_harness.Notices));
        Assert.DoesNotContain(nameof(SendInitialPasswordNoticeActivity), _harness.ActivityNames);
    }

    [Fact]
    public async Task RunAsync_ActivationFindsOrderCancelled_EndsWithoutStepOrNotice()
    {
        // Arrange: the cancellation was stored, its event not yet delivered
        _harness.Activation = new ActivationResult(ActivationOutcome.Cancelled, NeedsInitialPassword: false);
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Approve();
        _harness.Attest();

        // Act
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Equal([OrderStatus.PendingAttestation, OrderStatus.WaitingForStartDate], _harness.Steps.Select(s => s.Status));
        Assert.Empty(_harness.Notices);
        Assert.DoesNotContain(nameof(SendInitialPasswordNoticeActivity), _harness.ActivityNames);
    }

    [Fact]
    public async Task RunAsync_CancellationWonBeforeApprovedStep_StopsBeforeAttestation()
    {
        // Arrange: RecordOrderStep finds the order already cancelled
        _harness.RecordStep = _ => OrderStatus.Cancelled;
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Approve();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Single(_harness.Steps);
        Assert.DoesNotContain(_harness.EventWaits, w => w.Name == OrderEvents.AttestationDecided);
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public async Task RunAsync_CancellationWonBeforeAttestedStep_NoStartDateTimer()
    {
        // Arrange
        _harness.RecordStep = step => step.Status == OrderStatus.WaitingForStartDate ? OrderStatus.Cancelled : step.Status;
        var run = _harness.Run(OrchestrationHarness.Input());
        _harness.Approve();

        // Act
        _harness.Attest();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.DoesNotContain(_harness.Timers, t => t.FireAt == OrchestrationHarness.ActivationAt);
        Assert.DoesNotContain(nameof(ActivateUserServiceActivity), _harness.ActivityNames);
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public async Task RunAsync_CancellationWonBeforeRejectedStep_NoRejectionNotice()
    {
        // Arrange
        _harness.RecordStep = _ => OrderStatus.Cancelled;
        var run = _harness.Run(OrchestrationHarness.Input());

        // Act
        _harness.Raise(OrderEvents.ApprovalDecided, new DecisionEvent(DecisionOutcome.Rejected, OrchestrationHarness.ManagerId));
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Cancelled, status);
        Assert.Empty(_harness.Notices);
    }

    [Fact]
    public async Task RunAsync_AttestationRejected_RecordsAttestationRejectedAndNotifiesOrderer()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input(requiresApproval: false));

        // Act
        _harness.Raise(OrderEvents.AttestationDecided, new DecisionEvent(DecisionOutcome.Rejected, OrchestrationHarness.AttestantId));
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Rejected, status);
        var step = Assert.Single(_harness.Steps);
        Assert.Equal((OrderStatus.Rejected, "AttestationRejected", OrchestrationHarness.AttestantId), (step.Status, step.Step, step.Actor));
        Assert.Equal(OrderStatus.Rejected, Assert.Single(_harness.Notices).Outcome);
        Assert.DoesNotContain(_harness.Timers, t => t.FireAt == OrchestrationHarness.ActivationAt);
    }

    [Fact]
    public async Task RunAsync_AttestationDeadlinePasses_ExpiresAttestation()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input(requiresApproval: false));
        _harness.Now = AttestationDeadline;

        // Act
        _harness.PendingTimer(AttestationDeadline).Fire();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Expired, status);
        Assert.Equal(
            new ExpireDecisionRequest(OrchestrationHarness.OrderId, DecisionKind.Attestation, AttestationDeadline),
            Assert.Single(_harness.InputsOf<ExpireDecisionRequest>(nameof(ExpireDecisionActivity))));
        Assert.Equal("AttestationExpired", Assert.Single(_harness.Steps).Step);
        Assert.Equal(OrderStatus.Expired, Assert.Single(_harness.Notices).Outcome);
    }

    [Fact]
    public async Task RunAsync_EachStage_TimersFireAtContextTimePlusTimeouts()
    {
        // Arrange
        var run = _harness.Run(OrchestrationHarness.Input());

        // Assert: approval stage, from the time the order started
        Assert.Equal([ApprovalDeadline, ReminderAt], _harness.Timers.Select(t => t.FireAt));
        Assert.Equal(ApprovalDeadline, _harness.InputsOf<ApprovalRequest>(nameof(RequestApprovalActivity))[0].ExpiresAtUtc);

        // Act: the manager approves two days later
        var approvedAt = OrchestrationHarness.Start.AddDays(2);
        _harness.Now = approvedAt;
        _harness.Approve();

        // Assert: the attestation deadline counts from the approval
        Assert.Equal(approvedAt.AddDays(30), _harness.Timers[^1].FireAt);
        Assert.Equal(approvedAt, _harness.Steps[^1].At);

        // Act: attested a day later
        var attestedAt = approvedAt.AddDays(1);
        _harness.Now = attestedAt;
        _harness.Attest();

        // Assert: the start date timer is the activation instant given by the order (R4)
        Assert.Equal(OrchestrationHarness.ActivationAt, _harness.Timers[^1].FireAt);
        Assert.Equal(attestedAt, _harness.Steps[^1].At);

        // Act
        _harness.Now = OrchestrationHarness.ActivationAt;
        _harness.FireStartDate();
        var status = await run;

        // Assert
        Assert.Equal(OrderStatus.Active, status);
        Assert.Equal(OrchestrationHarness.ActivationAt, Assert.Single(_harness.InputsOf<ActivationRequest>(nameof(ActivateUserServiceActivity))).At);
    }
}
