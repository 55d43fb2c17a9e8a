using Behorighetsportal.Http;

namespace Behorighetsportal.Directory;

/// <summary>
/// The people a caller may act on (R1, R10), for GET /api/identities and the pages that choose a person: the caller,
/// the reports of the managers whose role they hold, and the people of the units their orderer roles cover — each
/// only if visible to the caller and with an engagement the caller may act on.
/// </summary>
public sealed class ActablePeople(DirectoryRepository directory)
{
    /// <summary>Those whose name or HSA-id contains <paramref name="q"/>, in HSA-id order, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<Person>> SearchAsync(Caller caller, string q, int max, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        HashSet<string> candidates = [caller.HsaId];
        foreach (var manager in caller.DelegatedManagers.Append(caller.HsaId))
        {
            candidates.UnionWith((await directory.GetManagedEngagementsAsync(manager, cancellationToken)).Select(m => m.HsaId));
        }

        foreach (var role in caller.Person.OrdererRoles.Where(r => r.IsValidOn(caller.Today)))
        {
            foreach (var unit in role.OrgUnitIds.SelectMany(tree.Subtree).Where(u => u.Administration == role.Administration).Select(u => u.Id).Distinct())
            {
                candidates.UnionWith((await directory.GetEngagementsInUnitAsync(unit, cancellationToken)).Select(e => e.HsaId));
            }
        }

        List<Person> found = [];
        foreach (var hsaId in candidates.Order(StringComparer.Ordinal))
        {
            var person = await directory.GetPersonAsync(hsaId, cancellationToken);
            if (person is not null && MayActOn(caller, person, tree)
                && (person.Identity.FullName.Contains(q, StringComparison.OrdinalIgnoreCase) || person.Identity.HsaId.Contains(q, StringComparison.OrdinalIgnoreCase)))
            {
                found.Add(person);
                if (found.Count == max)
                {
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>The reports of the managers whose role the caller holds (their own and as delegate), in name order, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<Person>> ReportsAsync(Caller caller, int max, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        HashSet<string> ids = [];
        foreach (var manager in caller.DelegatedManagers.Append(caller.HsaId))
        {
            ids.UnionWith((await directory.GetManagedEngagementsAsync(manager, cancellationToken)).Select(m => m.HsaId));
        }

        List<Person> reports = [];
        foreach (var hsaId in ids.Where(id => id != caller.HsaId).Order(StringComparer.Ordinal).Take(max))
        {
            if (await directory.GetPersonAsync(hsaId, cancellationToken) is { } person && MayActOn(caller, person, tree))
            {
                reports.Add(person);
            }
        }

        return reports.OrderBy(p => p.Identity.FullName, StringComparer.CurrentCulture).ToList();
    }

    /// <summary>One person, if the caller may act on them; null for unknown, protected from them, or outside their rights (R10).</summary>
    public async Task<Person?> FindAsync(Caller caller, string hsaId, CancellationToken cancellationToken)
    {
        var target = hsaId.Length <= 64 ? await directory.GetPersonAsync(hsaId, cancellationToken) : null;
        return target is not null && MayActOn(caller, target, await directory.GetOrgTreeAsync(cancellationToken)) ? target : null;
    }

    /// <summary>The engagements of <paramref name="target"/> the caller may order for: not ended, and within the caller's rights (R1).</summary>
    public async Task<IReadOnlyList<Engagement>> OrderableEngagementsAsync(Caller caller, Person target, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        return target.Engagements.Where(e => !e.HasEndedBy(caller.Today)
            && ActingRights.ForEngagement(caller.HsaId, e, caller.Person.OrdererRoles, tree, caller.Today, caller.DelegatedManagers) != ActingRight.None).ToList();
    }

    public static bool MayActOn(Caller caller, Person target, OrgTree tree) =>
        ActingRights.MaySee(caller.HsaId, target, caller.Today, caller.DelegatedManagers)
        && target.Engagements.Any(e => !e.HasEndedBy(caller.Today)
            && ActingRights.ForEngagement(caller.HsaId, e, caller.Person.OrdererRoles, tree, caller.Today, caller.DelegatedManagers) != ActingRight.None);
}
