namespace Behorighetsportal.Orders;

/// <summary>Where an order is in its lifecycle; the names are part of the HTTP contract.</summary>
public enum OrderStatus
{
    PendingApproval,
    PendingAttestation,
    WaitingForStartDate,
    Active,
    Rejected,
    Expired,
    Cancelled,
    Failed,
}

public static class OrderStatuses
{
    /// <summary>The status as a person reads it (R13).</summary>
    public static string InSwedish(this OrderStatus status) => status switch
    {
        OrderStatus.PendingApproval => "väntar på chefens godkännande",
        OrderStatus.PendingAttestation => "väntar på ekonomisk attest",
        OrderStatus.WaitingForStartDate => "väntar på startdatum",
        OrderStatus.Active => "aktiv",
        OrderStatus.Rejected => "avslagen",
        OrderStatus.Expired => "upphörd",
        OrderStatus.Cancelled => "avbruten",
        _ => "misslyckad",
    };

    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Active or OrderStatus.Rejected or OrderStatus.Expired or OrderStatus.Cancelled or OrderStatus.Failed;
}

/// <summary>A person's yes or no (or the clock's "too late"), first one wins.</summary>
public sealed record Decision(DecisionOutcome Outcome, string By, DateTimeOffset At, string? Reference = null)
{
    public bool Approved => Outcome == DecisionOutcome.Approved;
}

public enum DecisionOutcome
{
    Approved,
    Rejected,
    Expired,
}

/// <summary>Order ids: manual orders are ORD-…, assignment-policy orders AUTO-… (R5).</summary>
public static class OrderIds
{
    public const string ManualPrefix = "ORD-";

    public static string NewManual() => ManualPrefix + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    public static bool Is(string id) =>
        id.StartsWith(ManualPrefix, StringComparison.Ordinal) || id.StartsWith(Policies.PolicyRules.OrderPrefix, StringComparison.Ordinal);
}

/// <summary>A manual request for a user service at a level for one engagement (R1–R4).</summary>
public sealed record Order(
    string OrderId,
    string IdentityId,
    string EngagementId,
    string Level,
    DateOnly StartDate,
    DateOnly ActivationDate,
    string OrdererId,
    string? ApproverId,
    bool RequiresApproval,
    string? Comment,
    DateTimeOffset PlacedAt,
    OrderStatus Status,
    Decision? Approval = null,
    Decision? Attestation = null,
    string? CancelledBy = null);
