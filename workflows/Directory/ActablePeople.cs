using Behorighetsportal.Http;

namespace Behorighetsportal.Directory;

/// <summary>A person found by a search: who, and the engagements by which the caller may act on them.</summary>
public sealed record PersonMatch(Identity Identity, IReadOnlyList<Engagement> Engagements);

/// <summary>
/// The people a caller may act on (R1, R10), for GET /api/identities and the pages that choose a person: the caller,
/// the reports of the managers whose role they hold, and the people of the units their orderer roles cover — each
/// only if visible to the caller and with an engagement the caller may act on.
/// </summary>
public sealed class ActablePeople(DirectoryRepository directory)
{
    /// <summary>
    /// Those whose given name, family name (either first) or HSA-id begins with <paramref name="q"/> (case aside), at
    /// most <paramref name="max"/>, in name order, each with the engagements by which the caller may act on them. Read
    /// from the indexes (<see cref="PersonIndex"/>): the caller's own, one ManagerIndex partition per manager whose role
    /// the caller holds, and one range query per administration of the caller's orderer roles, read only as far as
    /// needed — a bounded number of storage requests whatever the scope's size. A protected person is read whole and
    /// decided on all of their engagements (R10); rows written before the index are read as before.
    /// </summary>
    public async Task<IReadOnlyList<PersonMatch>> SearchAsync(Caller caller, string q, int max, CancellationToken cancellationToken)
    {
        var query = PersonIndex.Normalize(q);
        Dictionary<string, PersonMatch> found = new(StringComparer.Ordinal);
        if (query.Length == 0 || max <= 0)
        {
            return [];
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);

        // Decides one person on the engagements one index gives (another may give others); the caller and a protected
        // person on all of theirs.
        async Task ConsiderAsync(Identity identity, IReadOnlyList<Engagement> engagements)
        {
            if (found.Count >= max || found.ContainsKey(identity.HsaId))
            {
                return;
            }

            var person = identity.HsaId == caller.HsaId ? caller.Person
                : identity.Protected ? await directory.GetPersonAsync(identity.HsaId, cancellationToken)
                : new Person(identity, engagements, [], []);
            if (person is not null && PersonIndex.Matches(person.Identity, query) && MayActOn(caller, person, tree))
            {
                found[identity.HsaId] = new PersonMatch(person.Identity, ActingEngagements(caller, person, tree));
            }
        }

        if (PersonIndex.Matches(caller.Person.Identity, query))
        {
            await ConsiderAsync(caller.Person.Identity, caller.Person.Engagements);
        }

        foreach (var manager in caller.DelegatedManagers.Append(caller.HsaId).Distinct(StringComparer.Ordinal))
        {
            var reports = await directory.GetReportsAsync(manager, cancellationToken);
            foreach (var group in reports.GroupBy(r => r.HsaId, StringComparer.Ordinal))
            {
                if (group.All(r => r.Indexed is not null))
                {
                    var identity = group.First().Indexed!.Value.Identity;
                    if (PersonIndex.Matches(identity, query))
                    {
                        await ConsiderAsync(identity, group.Select(r => r.Indexed!.Value.Engagement).ToList());
                    }
                }
                else if (await directory.GetPersonAsync(group.Key, cancellationToken) is { } older && PersonIndex.Matches(older.Identity, query))
                {
                    // Written before the index carried the person: read whole, as before.
                    await ConsiderAsync(older.Identity, older.Engagements);
                }
            }
        }

        var roles = caller.Person.OrdererRoles.Where(r => r.IsValidOn(caller.Today)).ToList();
        if (roles.Count > 0 && found.Count < max)
        {
            if (await directory.IsPersonIndexBuiltAsync(cancellationToken))
            {
                foreach (var administration in roles.Select(r => r.Administration).Distinct(StringComparer.Ordinal))
                {
                    // Rows come in key order, a person's engagements side by side under each key; a person is decided
                    // once, on the engagements of the first key that names them.
                    string? current = null;
                    List<Engagement> engagements = [];
                    Identity? identity = null;
                    await foreach (var (rowIdentity, engagement) in directory.SearchPersonIndexAsync(administration, query, cancellationToken))
                    {
                        if (rowIdentity.HsaId != current)
                        {
                            if (identity is not null)
                            {
                                await ConsiderAsync(identity, engagements);
                            }

                            (current, identity, engagements) = (rowIdentity.HsaId, rowIdentity, []);
                            if (found.Count >= max)
                            {
                                break;
                            }
                        }

                        engagements.Add(engagement);
                    }

                    if (identity is not null)
                    {
                        await ConsiderAsync(identity, engagements);
                    }
                }
            }
            else
            {
                // The index is not built yet (data from before it): the units' people, one by one, as before.
                HashSet<string> candidates = new(StringComparer.Ordinal);
                foreach (var role in roles)
                {
                    foreach (var unit in role.OrgUnitIds.SelectMany(tree.Subtree).Where(u => u.Administration == role.Administration).Select(u => u.Id).Distinct())
                    {
                        candidates.UnionWith((await directory.GetEngagementsInUnitAsync(unit, cancellationToken)).Select(e => e.HsaId));
                    }
                }

                foreach (var hsaId in candidates.Where(id => !found.ContainsKey(id)).Order(StringComparer.Ordinal))
                {
                    if (found.Count >= max)
                    {
                        break;
                    }

                    if (await directory.GetPersonAsync(hsaId, cancellationToken) is { } person && PersonIndex.Matches(person.Identity, query))
                    {
                        await ConsiderAsync(person.Identity, person.Engagements);
                    }
                }
            }
        }

        return found.Values.OrderBy(m => m.Identity.FullName, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("sv-SE"), ignoreCase: true))
            .ThenBy(m => m.Identity.HsaId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The person's engagements that have not ended and on which the caller has a right (R1).</summary>
    private static List<Engagement> ActingEngagements(Caller caller, Person person, OrgTree tree) =>
        person.Engagements.Where(e => !e.HasEndedBy(caller.Today)
            && ActingRights.ForEngagement(caller.HsaId, e, caller.Person.OrdererRoles, tree, caller.Today, caller.DelegatedManagers) != ActingRight.None).ToList();

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
