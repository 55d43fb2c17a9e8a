using Behorighetsportal.OrdererRoles;

namespace Behorighetsportal.Directory;

/// <summary>Why a caller may act on an engagement (R1); the strongest reason wins.</summary>
public enum ActingRight
{
    None,
    Self,
    Orderer,

    /// <summary>Active delegate of the engagement's line manager (R8): every right of the manager but attestation.</summary>
    Delegate,
    LineManager,
}

/// <summary>
/// Who may act on whom: R1 (ordering) and R10 (seeing protected identities). Pure functions over
/// directory data, so the rules are tested without storage and checked on the server for every action.
/// </summary>
public static class ActingRights
{
    public static ActingRight ForEngagement(
        string callerHsaId,
        Engagement engagement,
        IReadOnlyList<OrdererRole> callerOrdererRoles,
        OrgTree tree,
        DateOnly today,
        IReadOnlySet<string>? delegatedManagers = null)
    {
        if (engagement.ManagerHsaId == callerHsaId)
        {
            return ActingRight.LineManager;
        }

        if (engagement.ManagerHsaId is { } manager && delegatedManagers?.Contains(manager) == true)
        {
            return ActingRight.Delegate;
        }

        if (CoversAsOrderer(callerOrdererRoles, engagement, tree, today))
        {
            return ActingRight.Orderer;
        }

        return engagement.HsaId == callerHsaId ? ActingRight.Self : ActingRight.None;
    }

    /// <summary>
    /// An orderer role covers an engagement whose unit is at or below one of the role's units, in the
    /// role's own administration, on a day the role is valid (R9).
    /// </summary>
    public static bool CoversAsOrderer(IReadOnlyList<OrdererRole> roles, Engagement engagement, OrgTree tree, DateOnly today)
    {
        var administration = tree.AdministrationOf(engagement.OrgUnitId);
        return administration is not null && roles.Any(role =>
            role.IsValidOn(today)
            && role.Administration == administration
            && role.OrgUnitIds.Any(unit => tree.AdministrationOf(unit) == administration && tree.IsAtOrBelow(engagement.OrgUnitId, unit)));
    }

    /// <summary>
    /// R10: a protected identity exists only for themself, their nearest manager (of an engagement that has not
    /// ended: a former manager loses sight) and that manager's active delegates. For everyone else the caller
    /// must get exactly the answer an unknown HSA-id gets.
    /// </summary>
    public static bool MaySee(string callerHsaId, Person target, DateOnly today, IReadOnlySet<string>? delegatedManagers = null) =>
        !target.Identity.Protected
        || target.Identity.HsaId == callerHsaId
        || target.Engagements.Any(e => !e.HasEndedBy(today) && e.ManagerHsaId is { } manager
                                       && (manager == callerHsaId || delegatedManagers?.Contains(manager) == true));

    /// <summary>Whether the caller holds the manager role of <paramref name="managerHsaId"/>: as that manager or as an active delegate.</summary>
    public static bool ActsAsManager(string callerHsaId, string? managerHsaId, IReadOnlySet<string>? delegatedManagers) =>
        managerHsaId is not null && (managerHsaId == callerHsaId || delegatedManagers?.Contains(managerHsaId) == true);
}

/// <summary>
/// R14, separation of duties: nobody decides an order, orderer-role order or AMU application that is about themself —
/// not as line manager, delegate, group owner nor any other way. Placing such a request never approves it, its
/// approval link is not mailed to that person, their approvals list leaves it out, and their use of a link is refused.
/// Every one of those asks here.
/// </summary>
public static class SeparationOfDuties
{
    /// <summary>Whether <paramref name="deciderHsaId"/> may decide — or be asked to decide — a request about <paramref name="subjectHsaId"/>.</summary>
    public static bool MayDecide(string deciderHsaId, string subjectHsaId) => !string.Equals(deciderHsaId, subjectHsaId, StringComparison.Ordinal);

    /// <summary>
    /// Whether placing a request approves it at once: the one who places it holds the approving role (the line manager
    /// or an active delegate, R2, R9) and it is not about themself — a delegate ordering for herself waits for the
    /// manager or another delegate like anyone else.
    /// </summary>
    public static bool PlacingApproves(string placedByHsaId, string subjectHsaId, bool placerHoldsApprovingRole) =>
        placerHoldsApprovingRole && MayDecide(placedByHsaId, subjectHsaId);

    /// <summary>Those of <paramref name="candidates"/> who may be asked to decide a request about <paramref name="subjectHsaId"/>.</summary>
    public static IReadOnlyList<T> Askable<T>(IEnumerable<T> candidates, Func<T, string> hsaIdOf, string subjectHsaId) =>
        candidates.Where(c => MayDecide(hsaIdOf(c), subjectHsaId)).ToList();

    /// <summary>What a link page says to the person the request is about (R14).</summary>
    public const string OwnRequestRefusal =
        "Det här gäller dig själv, och ingen får godkänna sin egen behörighet. Din närmaste chef eller chefens delegat beslutar i stället.";
}
