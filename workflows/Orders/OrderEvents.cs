namespace Behorighetsportal.Orders;

/// <summary>
/// Events raised to an <see cref="OrderLifecycleOrchestrator"/>. Each is only a wake-up call: the decision it
/// announces is stored on the order first (first writer wins), so a lost or repeated event cannot change
/// the outcome.
/// </summary>
public static class OrderEvents
{
    public const string ApprovalDecided = nameof(ApprovalDecided);
    public const string AttestationDecided = nameof(AttestationDecided);
    public const string CancelRequested = nameof(CancelRequested);
}

public sealed record DecisionEvent(DecisionOutcome Outcome, string By);
