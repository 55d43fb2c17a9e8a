namespace Behorighetsportal.Directory;

/// <summary>A unit inside an administration; permissions never cross administrations.</summary>
public sealed record OrgUnit(string Id, string Name, string Administration, string? ParentId);

/// <summary>A person, keyed by HSA-id. A protected identity is visible only under R10.</summary>
public sealed record Identity(string HsaId, string GivenName, string FamilyName, string Email, bool Protected)
{
    public string FullName => $"{GivenName} {FamilyName}";
}

/// <summary>The form of employment KiV gives an engagement (anställningsform); policies may select on it.</summary>
public enum EngagementKind
{
    /// <summary>tillsvidare: permanent employment.</summary>
    Permanent,

    /// <summary>visstid: fixed-term employment (including substitutes).</summary>
    FixedTerm,

    /// <summary>timanställd: employed by the hour.</summary>
    Hourly,

    /// <summary>konsult: a consultant, not employed by the region.</summary>
    Consultant,
}

/// <summary>The Swedish names KiV and the HTTP contract use for <see cref="EngagementKind"/>.</summary>
public static class EngagementKinds
{
    private static readonly (string Name, EngagementKind Kind)[] Names =
    [
        ("tillsvidare", EngagementKind.Permanent),
        ("visstid", EngagementKind.FixedTerm),
        ("timanställd", EngagementKind.Hourly),
        ("konsult", EngagementKind.Consultant),
    ];

    /// <summary>The allowed names, for error messages: "tillsvidare, visstid, timanställd, konsult".</summary>
    public static string Allowed => string.Join(", ", Names.Select(n => n.Name));

    public static string NameOf(EngagementKind kind) => Names.First(n => n.Kind == kind).Name;

    /// <summary>A wire name, in any case and without surrounding spaces.</summary>
    public static bool TryParse(string? name, out EngagementKind kind)
    {
        var trimmed = name?.Trim();
        foreach (var (n, k) in Names)
        {
            if (string.Equals(n, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

/// <summary>One employment of an identity at an org unit, from KiV, with its nearest manager and (when KiV gives it) its kind.</summary>
public sealed record Engagement(
    string EngagementId,
    string HsaId,
    string OrgUnitId,
    string Title,
    DateOnly StartDate,
    DateOnly? EndDate,
    string? ManagerHsaId,
    EngagementKind? Kind = null)
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
