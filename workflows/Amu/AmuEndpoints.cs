using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Amu;

public sealed record AmuApplicationRequest(List<string>? GroupIds, string? Motivation);

public sealed record AmuGroupRequest(string RequestId, string GroupId, AccessRequestStatus Status);

public sealed record AmuApplicationAccepted(string ApplicationId, AccessRequestStatus Status, IReadOnlyList<AmuGroupRequest> Requests);

/// <summary>
/// POST /api/amu-applications (R11): an employee applies to join one or more AMU groups; each group's owner
/// approves their own group — the owner's own application goes to the owner's line manager (R14). A group one holds
/// or has applied for already is refused with a clear message.
/// </summary>
public sealed class AmuEndpoints(CallerResolver callers, AmuCatalog catalog, AccessRequestRepository requests, AccessRequestStarter starter, TimeProvider clock)
{
    private const int MaxGroups = 20;
    private const int MaxMotivation = 1000;

    public async Task<IResult> ApplyAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<AmuApplicationRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;

        var errors = new Dictionary<string, string[]>();
        var groupIds = (body.GroupIds ?? []).Where(g => !string.IsNullOrWhiteSpace(g)).Distinct(StringComparer.Ordinal).ToList();
        if (groupIds.Count == 0 || groupIds.Count > MaxGroups)
        {
            errors["groupIds"] = [$"Välj en till {MaxGroups} AMU-grupper (groupIds)."];
        }
        else if (groupIds.Where(g => catalog.Find(g) is null).ToList() is { Count: > 0 } unknown)
        {
            errors["groupIds"] = [$"Okända AMU-grupper: {string.Join(", ", unknown)}. Välj bland grupperna i portalen."];
        }

        if (body.Motivation is { Length: > MaxMotivation })
        {
            errors["motivation"] = [$"Motiveringen får vara högst {MaxMotivation} tecken."];
        }

        if (errors.Count > 0)
        {
            return Problems.BadRequest("Ansökan är inte komplett", "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);
        }

        var held = caller.Person.Memberships.Select(m => m.GroupId).ToHashSet(StringComparer.Ordinal);
        var pending = (await requests.ListForAsync(caller.HsaId, cancellationToken))
            .Where(r => r.Kind == AccessRequestKind.AmuMembership && r.IsOpen).SelectMany(r => r.Resources).ToHashSet(StringComparer.Ordinal);
        var already = groupIds.Where(g => held.Contains(g) || pending.Contains(g)).ToList();
        if (already.Count > 0)
        {
            return Problems.Conflict("Du är redan medlem eller har redan ansökt",
                string.Join(" ", already.Select(g => held.Contains(g)
                    ? $"Du är redan medlem i {catalog.Find(g)!.Name}."
                    : $"Du har redan en ansökan om {catalog.Find(g)!.Name} som väntar på godkännande."))
                + " Ta bort de grupperna ur ansökan och försök igen.");
        }

        // R14: an owner applying to their own group does not approve it by applying; their line manager is asked.
        var approvers = groupIds.ToDictionary(g => g, g => catalog.Find(g)!.ApproverFor(caller.Person, caller.Today), StringComparer.Ordinal);
        if (approvers.Where(a => a.Value is null).Select(a => catalog.Find(a.Key)!.Name).ToList() is { Count: > 0 } unapprovable)
        {
            return Problems.Unprocessable("Chef saknas",
                $"Du äger {string.Join(", ", unapprovable)} och kan inte godkänna din egen ansökan, och ditt engagemang har ingen närmaste chef " +
                "i Katalog i Väst som kan göra det. Kontakta din SIS-funktion.");
        }

        var applicationId = AccessRequestIds.NewAmuApplication();
        List<AmuGroupRequest> created = [];
        foreach (var (groupId, index) in groupIds.Select((g, i) => (g, i + 1)))
        {
            var group = catalog.Find(groupId)!;
            var access = new AccessRequest($"{applicationId}-{index}", AccessRequestKind.AmuMembership, caller.HsaId, caller.HsaId, approvers[groupId],
                [groupId], null, null, string.IsNullOrWhiteSpace(body.Motivation) ? null : body.Motivation.Trim(), AccessRequestStatus.PendingApproval, clock.GetUtcNow());
            switch (await starter.StartAsync(access, durable, cancellationToken))
            {
                case AccessRequestStart.AlreadyRequested:
                    // An identical application got there first, a moment ago; the groups before this one are applied for.
                    return Problems.Conflict("Du har redan ansökt",
                        $"Du har redan en ansökan om {group.Name} som väntar på godkännande. Ta bort gruppen ur ansökan och försök igen.");
                case AccessRequestStart.Failed:
                    // This group's request is Failed and released; the groups after it were not stored at all.
                    return Problems.TryAgain($"Ansökan om {group.Name} kunde inte skickas just nu, och ingen ansökan om grupperna efter den har gjorts. "
                        + (created.Count > 0 ? $"Ansökan om {string.Join(", ", created.Select(c => catalog.Find(c.GroupId)!.Name))} är skickad. " : "")
                        + "Försök igen om en stund med de grupper som inte är skickade.");
            }

            created.Add(new AmuGroupRequest(access.RequestId, groupId, access.Status));
        }

        return Results.Json(new AmuApplicationAccepted(applicationId, AccessRequestStatus.PendingApproval, created), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
