namespace Behorighetsportal.Delegations;

public enum DelegationStatus
{
    /// <summary>Registered; waits for 00:00 Europe/Stockholm of its first day.</summary>
    Scheduled,
    Active,

    /// <summary>Ran to the end of its last day.</summary>
    Ended,

    /// <summary>Withdrawn by the manager, before or during the period.</summary>
    Revoked,
}

/// <summary>
/// The manager role lent to one of the manager's own reports for a period (R8): every right of R7 over the
/// manager's people, except financial attestation.
/// </summary>
public sealed record Delegation(
    string DelegationId,
    string ManagerId,
    string DelegateId,
    DateOnly ValidFrom,
    DateOnly ValidTo,
    DelegationStatus Status,
    DateTimeOffset CreatedAt,
    string? RevokedBy = null,
    DateTimeOffset? RevokedAt = null)
{
    /// <summary>Delegation ids are <c>DEL-</c> and 16 hex digits.</summary>
    public const string IdPrefix = "DEL-";

    public static string NewId() => IdPrefix + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    /// <summary>Rights hold only while the lifecycle says Active and the day is inside the period — both, so
    /// that neither a late timer nor a wrong clock can stretch a delegation.</summary>
    public bool IsActiveOn(DateOnly day) => Status == DelegationStatus.Active && ValidFrom <= day && day <= ValidTo;
}

public static class DelegationStatuses
{
    /// <summary>The status as a person reads it (R13), at the start of a sentence or in a table cell.</summary>
    public static string InSwedish(this DelegationStatus status) => status switch
    {
        DelegationStatus.Scheduled => "Planerad",
        DelegationStatus.Active => "Pågår",
        DelegationStatus.Ended => "Avslutad",
        _ => "Återkallad",
    };

    /// <summary>Whether it still holds or will: what its manager may revoke.</summary>
    public static bool IsCurrent(this DelegationStatus status) => status is DelegationStatus.Scheduled or DelegationStatus.Active;
}
