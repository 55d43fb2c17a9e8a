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
