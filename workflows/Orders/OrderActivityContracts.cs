namespace Behorighetsportal.Orders;

/// <summary>A step of the lifecycle: the status it leads to, and who or what caused it, for the audit log.</summary>
public sealed record OrderStep(string OrderId, OrderStatus Status, string Step, string Actor, DateTime At, string? Detail = null)
{
    public const string System = "system";
}

public enum DecisionKind
{
    Approval,
    Attestation,
}

public sealed record ApprovalRequest(string OrderId, DateTime ExpiresAtUtc, bool Reminder);

public sealed record ExpireDecisionRequest(string OrderId, DecisionKind Kind, DateTime At);

/// <summary>The decision that holds once a deadline passed; <see cref="Cancelled"/> when a cancellation won.</summary>
public sealed record ClosedDecision(Decision? Decision, bool Cancelled);

public sealed record OrdererNotice(string OrderId, OrderStatus Outcome);

public sealed record ActivationRequest(string OrderId, DateTime At);

public enum ActivationOutcome
{
    Activated,
    Cancelled,
    EngagementEnded,

    /// <summary>KiV moved the engagement's start after the order was placed; wait again until <see cref="ActivationResult.NotBeforeUtc"/> (R4).</summary>
    NotYetStarted,
}

public sealed record ActivationResult(ActivationOutcome Outcome, bool NeedsInitialPassword, DateTime? NotBeforeUtc = null);

public sealed record PasswordNoticeRequest(string OrderId, DateTime At);
