namespace Behorighetsportal.Directory;

/// <summary>A unit inside an administration; permissions never cross administrations.</summary>
public sealed record OrgUnit(string Id, string Name, string Administration, string? ParentId);

/// <summary>A person, keyed by HSA-id. A protected identity is visible only under R10.</summary>
public sealed record Identity(string HsaId, string GivenName, string FamilyName, string Email, bool Protected)
{
    public string FullName => $"{GivenName} {FamilyName}";
}

/// <summary>One employment of an identity at an org unit, from KiV, with its nearest manager.</summary>
public sealed record Engagement(
    string EngagementId,
    string HsaId,
    string OrgUnitId,
    string Title,
    DateOnly StartDate,
    DateOnly? EndDate,
    string? ManagerHsaId)
{
    /// <summary>The end date is the last working day: the engagement has ended only after it.</summary>
    public bool HasEndedBy(DateOnly today) => EndDate is { } end && end < today;
}

public enum UserServiceStatus
{
    Active,

    /// <summary>Switched off between engagements; the password no longer holds.</summary>
    Inactivated,

    /// <summary>Closed for good; the password no longer holds.</summary>
    Ended,
}

/// <summary>The AD account of an engagement.</summary>
public sealed record UserService(
    string HsaId,
    string EngagementId,
    string Level,
    UserServiceStatus Status,
    DateOnly? ActivatedOn,
    DateOnly? EndedOn,
    string? OrderId);

public sealed record ServiceLevel(string Level, string Description, int MonthlyCostSek);

/// <summary>An identity with everything KiV and the portal know about it, read from one partition.</summary>
public sealed record Person(
    Identity Identity,
    IReadOnlyList<Engagement> Engagements,
    IReadOnlyList<UserService> UserServices,
    IReadOnlyList<OrdererRoles.OrdererRole> OrdererRoles,
    IReadOnlyList<Amu.AmuMembership>? AmuMemberships = null)
{
    public IReadOnlyList<Amu.AmuMembership> Memberships => AmuMemberships ?? [];

    public Engagement? FindEngagement(string engagementId) =>
        Engagements.FirstOrDefault(e => e.EngagementId == engagementId);

    public UserService? FindUserService(string engagementId) =>
        UserServices.FirstOrDefault(s => s.EngagementId == engagementId);
}
