using Behorighetsportal.Directory;

namespace Behorighetsportal.Policies;

/// <summary>
/// R5: engagements of the administration at or below a unit, with one of the titles (any title when none are
/// listed) and of one of the engagement kinds (any kind when none are listed; an engagement KiV gives no kind
/// matches only a policy that lists none), get a user service at the level automatically. The highest priority
/// wins where several match.
/// </summary>
public sealed record AssignmentPolicy(
    string PolicyId, string Administration, string UnderOrgUnitId, IReadOnlyList<string> Titles, string Level, int Priority = 0,
    IReadOnlyList<EngagementKind>? Kinds = null)
{
    public bool Matches(Engagement engagement, OrgTree tree) =>
        tree.AdministrationOf(engagement.OrgUnitId) == Administration
        && tree.IsAtOrBelow(engagement.OrgUnitId, UnderOrgUnitId)
        && (Titles.Count == 0 || Titles.Any(t => string.Equals(t, engagement.Title, StringComparison.OrdinalIgnoreCase)))
        && (Kinds is null || Kinds.Count == 0 || (engagement.Kind is { } kind && Kinds.Contains(kind)));
}

public enum PolicyChangeKind
{
    /// <summary>No user service yet; the policy gives one.</summary>
    Gain,

    /// <summary>A policy-given user service moves to another level.</summary>
    Change,

    /// <summary>A policy-given user service is no longer covered by any policy.</summary>
    Lose,
}

/// <summary>What a policy evaluation does (or would do) to one engagement.</summary>
public sealed record PolicyChange(
    string HsaId, string EngagementId, PolicyChangeKind Kind, string? FromLevel, string? ToLevel, string? PolicyId);

/// <summary>The rules of R5 as pure functions: which policy covers an engagement and what that means for it.</summary>
public static class PolicyRules
{
    /// <summary>Order ids of policy assignments start with this, so a user service's source is visible on it.</summary>
    public const string OrderPrefix = "AUTO-";

    /// <summary>The orderer a policy order names: this and the policy id, so whoever reads the order knows which policy gave it.</summary>
    public const string OrdererPrefix = "policy:";

    public static AssignmentPolicy? Choose(IEnumerable<AssignmentPolicy> policies, Engagement engagement, OrgTree tree) =>
        policies.Where(p => p.Matches(engagement, tree))
            .OrderByDescending(p => p.Priority)
            .ThenBy(p => p.PolicyId, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>
    /// The change a policy evaluation makes to one engagement, or null. A manually ordered user service is kept
    /// whatever the policies say (a manual level wins); an engagement that has ended is left to the leaver flow.
    /// </summary>
    public static PolicyChange? Evaluate(Person person, Engagement engagement, IEnumerable<AssignmentPolicy> policies, OrgTree tree, DateOnly today)
    {
        if (engagement.HasEndedBy(today))
        {
            return null;
        }

        var policy = Choose(policies, engagement, tree);
        var service = person.FindUserService(engagement.EngagementId);
        var current = service is { Status: UserServiceStatus.Active } ? service : null;
        if (current is not null && !IsPolicyGiven(current))
        {
            return null;
        }

        return (current, policy) switch
        {
            (null, null) => null,
            (null, { } p) => new PolicyChange(person.Identity.HsaId, engagement.EngagementId, PolicyChangeKind.Gain, null, p.Level, p.PolicyId),
            ({ } s, null) => new PolicyChange(person.Identity.HsaId, engagement.EngagementId, PolicyChangeKind.Lose, s.Level, null, null),
            ({ } s, { } p) when !string.Equals(s.Level, p.Level, StringComparison.Ordinal) =>
                new PolicyChange(person.Identity.HsaId, engagement.EngagementId, PolicyChangeKind.Change, s.Level, p.Level, p.PolicyId),
            _ => null,
        };
    }

    public static bool IsPolicyGiven(UserService service) => service.OrderId is { } orderId && IsPolicyOrder(orderId);

    /// <summary>One policy order per engagement, level and day: a repeated evaluation the same day finds the one it placed.</summary>
    public static string OrderIdFor(string engagementId, string level, DateOnly day) =>
        $"{OrderPrefix}{engagementId}-{level}-{day:yyyyMMdd}".ToUpperInvariant();

    public static bool IsPolicyOrder(string orderId) => orderId.StartsWith(OrderPrefix, StringComparison.Ordinal);
}
