using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;

namespace Behorighetsportal.Tests.Unit.Orders;

/// <summary>A durable timer the test fires, and whether the orchestrator cancelled it.</summary>
public sealed class FakeTimer
{
    private readonly TaskCompletionSource _source = new();

    public FakeTimer(DateTime fireAt, CancellationToken token)
    {
        FireAt = fireAt;
        token.Register(() => _source.TrySetCanceled(token));
    }

    public DateTime FireAt { get; }

    public Task Task => _source.Task;

    public bool Cancelled => _source.Task.IsCanceled;

    public void Fire()
    {
        if (!_source.TrySetResult())
        {
            throw new InvalidOperationException($"The timer for {FireAt:O} was cancelled or has fired already.");
        }
    }
}

/// <summary>One WaitForExternalEvent call; the test raises the event into it.</summary>
public sealed class FakeEventWait
{
    private readonly TaskCompletionSource<DecisionEvent> _source = new();

    public FakeEventWait(string name, CancellationToken token)
    {
        Name = name;
        token.Register(() => _source.TrySetCanceled(token));
    }

    public string Name { get; }

    public Task<DecisionEvent> Task => _source.Task;

    public bool Pending => !_source.Task.IsCompleted;

    public bool Cancelled => _source.Task.IsCanceled;

    public void Raise(DecisionEvent payload) => _source.SetResult(payload);
}

/// <summary>
/// A strict <see cref="Mock{TaskOrchestrationContext}"/> for <see cref="OrderLifecycleOrchestrator"/>: timers and
/// external events are task sources the test completes, activities answer from the functions below and are
/// recorded in call order. Continuations run inline, so after each Fire/Raise the orchestrator has run up to
/// its next wait.
/// </summary>
public sealed class OrchestrationHarness
{
    public const string OrderId = "ORD-UNIT-1";
    public const string ManagerId = "SE2321000131-E000000000002";
    public const string AttestantId = "attestant@marknadsplatsen";

    public static readonly DateTime Start = new(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime ActivationAt = new(2026, 3, 9, 23, 0, 0, DateTimeKind.Utc);
    public static readonly OrderTimeouts Timeouts = new(TimeSpan.FromDays(3), TimeSpan.FromDays(14), TimeSpan.FromDays(30));

    public OrchestrationHarness()
    {
        Context.SetupGet(c => c.CurrentUtcDateTime).Returns(() => Now);
        Context.SetupGet(c => c.IsReplaying).Returns(false);
        Context.SetupGet(c => c.InstanceId).Returns(OrderId);
        Context.Protected().SetupGet<ILoggerFactory>("LoggerFactory").Returns(NullLoggerFactory.Instance);
        Context.Setup(c => c.CreateReplaySafeLogger<OrderLifecycleOrchestrator>()).CallBase();

        Context.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime fireAt, CancellationToken token) =>
            {
                var timer = new FakeTimer(fireAt, token);
                Timers.Add(timer);
                return timer.Task;
            });
        Context.Setup(c => c.WaitForExternalEvent<DecisionEvent>(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string name, CancellationToken token) =>
            {
                var wait = new FakeEventWait(name, token);
                EventWaits.Add(wait);
                return wait.Task;
            });

        // Activities without a result (RequestApproval, NotifyOrderer, SendInitialPasswordNotice).
        Context.Setup(c => c.CallActivityAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? _) =>
            {
                Activities.Add((name.Name, input));
                return System.Threading.Tasks.Task.CompletedTask;
            });
        Context.Setup(c => c.CallActivityAsync<OrderStatus>(nameof(RecordOrderStepActivity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? _) =>
            {
                Activities.Add((name.Name, input));
                return System.Threading.Tasks.Task.FromResult(RecordStep((OrderStep)input!));
            });
        Context.Setup(c => c.CallActivityAsync<ClosedDecision>(nameof(ExpireDecisionActivity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? _) =>
            {
                Activities.Add((name.Name, input));
                return System.Threading.Tasks.Task.FromResult(ExpireDecision((ExpireDecisionRequest)input!));
            });
        Context.Setup(c => c.CallActivityAsync<ActivationResult>(nameof(ActivateUserServiceActivity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? _) =>
            {
                Activities.Add((name.Name, input));
                return System.Threading.Tasks.Task.FromResult(Activation);
            });
    }

    public Mock<TaskOrchestrationContext> Context { get; } = new(MockBehavior.Strict);

    /// <summary>What <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/> answers; tests move it.</summary>
    public DateTime Now { get; set; } = Start;

    public List<FakeTimer> Timers { get; } = [];

    public List<FakeEventWait> EventWaits { get; } = [];

    public List<(string Name, object? Input)> Activities { get; } = [];

    /// <summary>RecordOrderStepActivity: by default the step is recorded (the order moves to its status).</summary>
    public Func<OrderStep, OrderStatus> RecordStep { get; set; } = step => step.Status;

    /// <summary>ExpireDecisionActivity: by default the clock's "too late" is stored.</summary>
    public Func<ExpireDecisionRequest, ClosedDecision> ExpireDecision { get; set; } = request =>
        new ClosedDecision(new Decision(DecisionOutcome.Expired, OrderStep.System, new DateTimeOffset(request.At, TimeSpan.Zero)), Cancelled: false);

    public ActivationResult Activation { get; set; } = new(ActivationOutcome.Activated, NeedsInitialPassword: true);

    public static OrderLifecycleInput Input(bool requiresApproval = true, OrderTimeouts? timeouts = null) =>
        new(OrderId, requiresApproval, ActivationAt, timeouts ?? Timeouts);

    public Task<OrderStatus> Run(OrderLifecycleInput input) => new OrderLifecycleOrchestrator().RunAsync(Context.Object, input);

    /// <summary>Raises an event into the orchestrator's pending wait for it; fails when it is not waiting for one.</summary>
    public void Raise(string name, DecisionEvent payload)
    {
        var wait = EventWaits.LastOrDefault(w => w.Name == name && w.Pending)
            ?? throw new InvalidOperationException($"The orchestrator is not waiting for {name}.");
        wait.Raise(payload);
    }

    public bool IsWaitingFor(string name) => EventWaits.Any(w => w.Name == name && w.Pending);

    public FakeTimer PendingTimer(DateTime fireAt) =>
        Timers.LastOrDefault(t => t.FireAt == fireAt && !t.Task.IsCompleted)
            ?? throw new InvalidOperationException($"No pending timer for {fireAt:O}; timers: {string.Join(", ", Timers.Select(t => t.FireAt.ToString("O")))}.");

    public IReadOnlyList<string> ActivityNames => Activities.Select(a => a.Name).ToList();

    public IReadOnlyList<T> InputsOf<T>(string activity) =>
        Activities.Where(a => a.Name == activity).Select(a => (T)a.Input!).ToList();

    public IReadOnlyList<OrderStep> Steps => InputsOf<OrderStep>(nameof(RecordOrderStepActivity));

    public IReadOnlyList<OrdererNotice> Notices => InputsOf<OrdererNotice>(nameof(NotifyOrdererActivity));

    // The waits of a lifecycle, in order, as the tests drive them.
    public void Approve() => Raise(OrderEvents.ApprovalDecided, new DecisionEvent(DecisionOutcome.Approved, ManagerId));

    public void Attest() => Raise(OrderEvents.AttestationDecided, new DecisionEvent(DecisionOutcome.Approved, AttestantId));

    public void Cancel(string by = "SE2321000131-E000000000006") =>
        Raise(OrderEvents.CancelRequested, new DecisionEvent(DecisionOutcome.Rejected, by));

    public void FireStartDate() => PendingTimer(ActivationAt).Fire();
}
