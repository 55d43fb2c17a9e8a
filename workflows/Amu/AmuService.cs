using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Amu;

/// <summary>An AMU application as a person makes it, from the JSON body or the /amu form: every field unchecked.</summary>
public sealed record ApplyForAmuCommand(IReadOnlyList<string>? GroupIds, string? Motivation);

/// <summary>A group the caller may apply for, with its owner and whoever would approve the caller's application, as the caller may see them (R10).</summary>
public sealed record AmuOffer(AmuGroup Group, PersonName Owner, PersonName? Approver, bool ApproverIsOwner);

/// <summary>A group the caller is a member of, with who approved it (R12), named as the caller may see them (R10).</summary>
public sealed record AmuHeldMembership(AmuMembership Membership, string GroupName, PersonName? ApprovedBy);

/// <summary>One group of an application the caller made, with whoever is asked to approve it (R10).</summary>
public sealed record AmuApplicationView(AccessRequest Request, string GroupId, string GroupName, PersonName? Approver);

/// <summary>What /amu shows a person: the groups still open to them, their memberships and their applications, newest first.</summary>
public sealed record AmuOverview(IReadOnlyList<AmuOffer> Offers, IReadOnlyList<AmuHeldMembership> Memberships, IReadOnlyList<AmuApplicationView> Applications);

/// <summary>
/// AMU applications (R11) for POST /api/amu-applications and the /amu page alike: an employee applies to join one or
/// more groups; each group's owner approves their own group — the owner's own application goes to the owner's line
/// manager (R14). A group one holds or has applied for already is refused with a clear message. Every check is made
/// before the first write, so a refused application stores nothing.
/// </summary>
public sealed class AmuService(AmuCatalog catalog, AccessRequestRepository requests, AccessRequestStarter starter, PersonNames names, TimeProvider clock)
{
    public const int MaxGroups = 20;
    public const int MaxMotivation = 1000;

    public IReadOnlyList<AmuGroup> Groups => catalog.Groups;

    /// <summary>Applies for the groups (one request per group), or says why not.</summary>
    public async Task<(AmuApplicationAccepted? Accepted, Refusal? Refusal)> ApplyAsync(
        Caller caller, ApplyForAmuCommand command, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var groupIds = (command.GroupIds ?? []).Where(g => !string.IsNullOrWhiteSpace(g)).Distinct(StringComparer.Ordinal).ToList();
        if (groupIds.Count == 0 || groupIds.Count > MaxGroups)
        {
            errors["groupIds"] = [$"Välj en till {MaxGroups} AMU-grupper (groupIds)."];
        }
        else if (groupIds.Where(g => catalog.Find(g) is null).ToList() is { Count: > 0 } unknown)
        {
            errors["groupIds"] = [$"Okända AMU-grupper: {string.Join(", ", unknown)}. Välj bland grupperna i portalen."];
        }

        if (command.Motivation is { Length: > MaxMotivation })
        {
            errors["motivation"] = [$"Motiveringen får vara högst {MaxMotivation} tecken."];
        }

        if (errors.Count > 0)
        {
            return (null, Problems.BadRequest("Ansökan är inte komplett", "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors));
        }

        var held = HeldBy(caller);
        var pending = await PendingForAsync(caller, cancellationToken);
        var already = groupIds.Where(g => held.Contains(g) || pending.Contains(g)).ToList();
        if (already.Count > 0)
        {
            return (null, Problems.Conflict("Du är redan medlem eller har redan ansökt",
                string.Join(" ", already.Select(g => held.Contains(g)
                    ? $"Du är redan medlem i {catalog.Find(g)!.Name}."
                    : $"Du har redan en ansökan om {catalog.Find(g)!.Name} som väntar på godkännande."))
                + " Ta bort de grupperna ur ansökan och försök igen."));
        }

        // R14: an owner applying to their own group does not approve it by applying; their line manager is asked.
        var approvers = groupIds.ToDictionary(g => g, g => catalog.Find(g)!.ApproverFor(caller.Person, caller.Today), StringComparer.Ordinal);
        if (approvers.Where(a => a.Value is null).Select(a => catalog.Find(a.Key)!.Name).ToList() is { Count: > 0 } unapprovable)
        {
            return (null, Problems.Unprocessable("Chef saknas",
                $"Du äger {string.Join(", ", unapprovable)} och kan inte godkänna din egen ansökan, och ditt engagemang har ingen närmaste chef " +
                "i Katalog i Väst som kan göra det. Kontakta din SIS-funktion."));
        }

        var applicationId = AccessRequestIds.NewAmuApplication();
        var motivation = string.IsNullOrWhiteSpace(command.Motivation) ? null : command.Motivation.Trim();
        List<AmuGroupRequest> created = [];
        foreach (var (groupId, index) in groupIds.Select((g, i) => (g, i + 1)))
        {
            var group = catalog.Find(groupId)!;
            var access = new AccessRequest($"{applicationId}-{index}", AccessRequestKind.AmuMembership, caller.HsaId, caller.HsaId, approvers[groupId],
                [groupId], null, null, motivation, AccessRequestStatus.PendingApproval, clock.GetUtcNow());
            switch (await starter.StartAsync(access, durable, cancellationToken))
            {
                case AccessRequestStart.AlreadyRequested:
                    // An identical application got there first, a moment ago; the groups before this one are applied for.
                    return (null, Problems.Conflict("Du har redan ansökt",
                        $"Du har redan en ansökan om {group.Name} som väntar på godkännande. Ta bort gruppen ur ansökan och försök igen."));
                case AccessRequestStart.Failed:
                    // This group's request is Failed and released; the groups after it were not stored at all.
                    return (null, Problems.TryAgain($"Ansökan om {group.Name} kunde inte skickas just nu, och ingen ansökan om grupperna efter den har gjorts. "
                        + (created.Count > 0 ? $"Ansökan om {string.Join(", ", created.Select(c => catalog.Find(c.GroupId)!.Name))} är skickad. " : "")
                        + "Försök igen om en stund med de grupper som inte är skickade."));
            }

            created.Add(new AmuGroupRequest(access.RequestId, groupId, access.Status));
        }

        return (new AmuApplicationAccepted(applicationId, AccessRequestStatus.PendingApproval, created), null);
    }

    /// <summary>
    /// The caller's AMU groups: those they may still apply for (neither held nor waiting), with who would approve it
    /// (null when nobody may: an owner without a line manager), their memberships and their applications.
    /// </summary>
    public async Task<AmuOverview> OverviewAsync(Caller caller, CancellationToken cancellationToken)
    {
        var reader = caller.Reader;
        var held = HeldBy(caller);
        var applications = (await requests.ListForAsync(caller.HsaId, cancellationToken))
            .Where(r => r.Kind == AccessRequestKind.AmuMembership).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.RequestId, StringComparer.Ordinal).ToList();
        var pending = applications.Where(r => r.IsOpen).SelectMany(r => r.Resources).ToHashSet(StringComparer.Ordinal);

        Dictionary<string, PersonName> named = new(StringComparer.Ordinal);
        async Task<PersonName> NameAsync(string hsaId) =>
            named.TryGetValue(hsaId, out var known) ? known : named[hsaId] = await names.OfAsync(reader, hsaId, cancellationToken);

        List<AmuOffer> offers = [];
        foreach (var group in catalog.Groups.Where(g => !held.Contains(g.GroupId) && !pending.Contains(g.GroupId)))
        {
            var approver = group.ApproverFor(caller.Person, caller.Today);
            offers.Add(new AmuOffer(group, await NameAsync(group.OwnerHsaId), approver is null ? null : await NameAsync(approver), approver == group.OwnerHsaId));
        }

        List<AmuHeldMembership> memberships = [];
        foreach (var membership in caller.Person.Memberships.OrderBy(m => NameOf(m.GroupId), StringComparer.CurrentCulture))
        {
            memberships.Add(new AmuHeldMembership(membership, NameOf(membership.GroupId),
                membership.ApprovedBy is { } by ? await NameAsync(by) : null));
        }

        List<AmuApplicationView> views = [];
        foreach (var request in applications)
        {
            foreach (var groupId in request.Resources)
            {
                views.Add(new AmuApplicationView(request, groupId, NameOf(groupId),
                    (request.Approval?.By ?? request.ApproverId) is { } approver ? await NameAsync(approver) : null));
            }
        }

        return new AmuOverview(offers, memberships, views);
    }

    private string NameOf(string groupId) => catalog.Find(groupId)?.Name ?? groupId;

    private static HashSet<string> HeldBy(Caller caller) => caller.Person.Memberships.Select(m => m.GroupId).ToHashSet(StringComparer.Ordinal);

    private async Task<HashSet<string>> PendingForAsync(Caller caller, CancellationToken cancellationToken) =>
        (await requests.ListForAsync(caller.HsaId, cancellationToken))
            .Where(r => r.Kind == AccessRequestKind.AmuMembership && r.IsOpen).SelectMany(r => r.Resources).ToHashSet(StringComparer.Ordinal);
}
