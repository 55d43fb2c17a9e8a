namespace Behorighetsportal.Requests;

public enum AccessRequestKind
{
    /// <summary>The orderer (SDA) role for org units (R9); approved by the person's nearest line manager or a delegate.</summary>
    OrdererRole,

    /// <summary>Membership of an AMU group (R11); approved by the group's owner.</summary>
    AmuMembership,
}

public enum AccessRequestStatus
{
    PendingApproval,

    /// <summary>Approved; waits for its first day.</summary>
    Approved,
    Active,
    Rejected,
    Expired,

    /// <summary>Reached its last day (a temporary role).</summary>
    Ended,

    /// <summary>Stored, but its lifecycle could not be started; nothing was granted and its claims are released.</summary>
    Failed,
}

/// <summary>Request ids: orderer-role orders are <c>SDA-…</c>, AMU applications <c>AMU-…</c> (and their groups <c>AMU-…-n</c>).</summary>
public static class AccessRequestIds
{
    public const string OrdererRolePrefix = "SDA-";
    public const string AmuPrefix = "AMU-";

    public static string NewOrdererRole() => OrdererRolePrefix + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    public static string NewAmuApplication() => AmuPrefix + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
}

/// <summary>
/// A request for a role or membership that is granted on approval and may end by itself: the orderer role
/// (units, optional validity) or an AMU group (one request per group of an application).
/// </summary>
public sealed record AccessRequest(
    string RequestId,
    AccessRequestKind Kind,
    string SubjectId,
    string RequestedBy,
    string? ApproverId,
    IReadOnlyList<string> Resources,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    string? Motivation,
    AccessRequestStatus Status,
    DateTimeOffset CreatedAt,
    Orders.Decision? Approval = null)
{
    public bool IsOpen => Status is AccessRequestStatus.PendingApproval or AccessRequestStatus.Approved or AccessRequestStatus.Active;
}
