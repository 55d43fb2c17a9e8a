using Behorighetsportal.Delegations;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Directory;

/// <summary>One assigned permission with its validity and why it is held (R12).</summary>
public sealed record Assignment(string Resource, string? ValidFrom, string? ValidTo, IReadOnlyList<string> Reasons, string Status);

public sealed record EngagementView(string EngagementId, string OrgUnitId, string Title, string StartDate, string? EndDate, string? ManagerHsaId);

public sealed record UserServiceView(string EngagementId, string Level, string Status, string? ActivatedOn, string? EndedOn);

public sealed record IdentityView(
    string HsaId, string GivenName, string FamilyName, string Email, bool Protected,
    IReadOnlyList<EngagementView> Engagements, IReadOnlyList<UserServiceView> UserServices);

/// <summary>GET /api/me/assignments and GET /api/identities/{hsaId}.</summary>
public sealed class PeopleEndpoints(CallerResolver callers, DirectoryRepository directory, DelegationRepository delegations)
{
    public const string ManagerResource = "Chef";
    public const string OrdererResource = "Beställare (SDA)";

    public async Task<IResult> MyAssignmentsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        List<Assignment> assignments = [];

        // R7: the manager role comes from KiV to whoever is registered as manager of an engagement.
        var managed = await directory.GetManagedEngagementsAsync(caller.HsaId, cancellationToken);
        if (managed.Count > 0)
        {
            assignments.Add(new Assignment(ManagerResource, null, null, ["KiV"], "Active"));
        }

        // R8: a delegated manager role, with its period and who delegated it.
        foreach (var delegation in await delegations.ListReceivedAsync(caller.HsaId, cancellationToken))
        {
            if (delegation.Status is DelegationStatus.Scheduled or DelegationStatus.Active && delegation.ValidTo >= caller.Today)
            {
                var manager = await directory.GetIdentityAsync(delegation.ManagerId, cancellationToken);
                assignments.Add(new Assignment(ManagerResource, DirectoryRepository.Format(delegation.ValidFrom), DirectoryRepository.Format(delegation.ValidTo),
                    ["Delegerad av " + (manager?.FullName ?? delegation.ManagerId)], delegation.Status.ToString()));
            }
        }

        foreach (var role in caller.Person.OrdererRoles.Where(r => r.ValidTo is null || r.ValidTo >= caller.Today))
        {
            assignments.Add(new Assignment(OrdererResource, DirectoryRepository.Format(role.ValidFrom), DirectoryRepository.Format(role.ValidTo),
                ["Enheter: " + string.Join(", ", role.OrgUnitIds)], role.IsValidOn(caller.Today) ? "Active" : "Scheduled"));
        }

        foreach (var service in caller.Person.UserServices.Where(s => s.Status == UserServiceStatus.Active))
        {
            assignments.Add(new Assignment($"Användartjänst {service.Level}", DirectoryRepository.Format(service.ActivatedOn), DirectoryRepository.Format(service.EndedOn),
                [service.OrderId is null ? "KiV" : "Beställning " + service.OrderId, "Engagemang " + service.EngagementId], service.Status.ToString()));
        }

        return Results.Json(assignments, JsonBody.Options);
    }

    public async Task<IResult> IdentityAsync(HttpRequest request, string hsaId, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        var target = hsaId.Length <= 64 ? await directory.GetPersonAsync(hsaId, cancellationToken) : null;
        var tree = target is null ? null : await directory.GetOrgTreeAsync(cancellationToken);
        var mayAct = target is not null
                     && ActingRights.MaySee(caller.HsaId, target, caller.Today, caller.DelegatedManagers)
                     && target.Engagements.Any(e => !e.HasEndedBy(caller.Today)
                         && ActingRights.ForEngagement(caller.HsaId, e, caller.Person.OrdererRoles, tree!, caller.Today, caller.DelegatedManagers) != ActingRight.None);
        if (!mayAct)
        {
            // Unknown, protected from this caller, or outside their rights: one answer for all (R10).
            return Problems.NotFound("Identiteten finns inte",
                $"Det finns ingen identitet med HSA-id {hsaId} som du kan se. Kontrollera HSA-id:t.");
        }

        var person = target!;
        return Results.Json(new IdentityView(
            person.Identity.HsaId, person.Identity.GivenName, person.Identity.FamilyName, person.Identity.Email, person.Identity.Protected,
            person.Engagements.Select(e => new EngagementView(e.EngagementId, e.OrgUnitId, e.Title, DirectoryRepository.Format(e.StartDate)!,
                DirectoryRepository.Format(e.EndDate), e.ManagerHsaId)).ToList(),
            person.UserServices.Select(s => new UserServiceView(s.EngagementId, s.Level, s.Status.ToString(),
                DirectoryRepository.Format(s.ActivatedOn), DirectoryRepository.Format(s.EndedOn))).ToList()), JsonBody.Options);
    }
}
