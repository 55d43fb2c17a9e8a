using Behorighetsportal.Amu;
using Behorighetsportal.Approvals;
using Behorighetsportal.Delegations;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Directory;

/// <summary>One assigned permission with its validity and why it is held (R12).</summary>
public sealed record Assignment(string Resource, string? ValidFrom, string? ValidTo, IReadOnlyList<string> Reasons, string Status);

/// <summary>An engagement; <see cref="ManagerHsaId"/> is null also when the manager is protected from the reader (R10).</summary>
public sealed record EngagementView(string EngagementId, string OrgUnitId, string Title, string StartDate, string? EndDate, string? ManagerHsaId, string? Kind = null);

public sealed record UserServiceView(string EngagementId, string Level, string Status, string? ActivatedOn, string? EndedOn);

public sealed record IdentityView(
    string HsaId, string GivenName, string FamilyName, string Email, bool Protected,
    IReadOnlyList<EngagementView> Engagements, IReadOnlyList<UserServiceView> UserServices);

public sealed record IdentitySummary(string HsaId, string GivenName, string FamilyName, bool Protected);

public sealed record MeView(
    string HsaId, string GivenName, string FamilyName, string Email,
    IReadOnlyList<EngagementView> Engagements, IReadOnlyList<UserServiceView> UserServices, IReadOnlyList<Assignment> Roles);

/// <summary>
/// One thing waiting for the caller's decision. The person it is about is <see cref="SubjectName"/> and
/// <see cref="SubjectId"/>, and the manager a delegate decides for <see cref="AsDelegateOf"/>, as the caller may see
/// them: a person protected from the caller (R10) has the protected wording for name and no HSA-id.
/// </summary>
public sealed record ApprovalItem(string Kind, string Id, string? SubjectId, string Summary, DateTimeOffset RequestedAt, string? AsDelegateOf, string SubjectName);

/// <summary>
/// GET /api/me, /api/me/assignments, /api/me/approvals, /api/identities?q= and /api/identities/{hsaId}: who the caller
/// is, what they hold, what waits for them, and the people they may act on (R1, R7–R10). A protected identity the
/// caller may not see is absent everywhere, exactly as an unknown one.
/// </summary>
public sealed class PeopleEndpoints(
    CallerResolver callers, DirectoryRepository directory, PersonNames names, DelegationRepository delegations, AccessRequestRepository requests,
    AmuCatalog amu, ApprovalQueue approvals, ActablePeople actable)
{
    private const int MaxSearchResults = 50;

    public const string ManagerResource = "Chef";
    public const string OrdererResource = "Beställare (SDA)";

    public async Task<IResult> MyAssignmentsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        return caller is null ? Problems.Unauthorized() : Results.Json(await AssignmentsOfAsync(caller, cancellationToken), JsonBody.Options);
    }

    public async Task<IResult> MeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        var me = caller.Person;
        return Results.Json(new MeView(me.Identity.HsaId, me.Identity.GivenName, me.Identity.FamilyName, me.Identity.Email,
            await ViewsAsync(caller.Reader, me.Engagements, cancellationToken), me.UserServices.Select(ToView).ToList(), await AssignmentsOfAsync(caller, cancellationToken)),
            JsonBody.Options);
    }

    /// <summary>What waits for the caller's decision: as manager, group owner, or delegate of a manager.</summary>
    public async Task<IResult> MyApprovalsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        return caller is null ? Problems.Unauthorized() : Results.Json(await approvals.ForAsync(caller, cancellationToken), JsonBody.Options);
    }

    /// <summary>Search by name or HSA-id among the identities the caller may act on (R1, R10).</summary>
    public async Task<IResult> SearchAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        var q = request.Query["q"].ToString().Trim();
        if (q.Length is < 2 or > 64)
        {
            return Problems.BadRequest("Sökningen är för kort", "Ange minst två tecken av ett namn eller ett HSA-id i parametern q.",
                new Dictionary<string, string[]> { ["q"] = ["Ange 2–64 tecken."] });
        }

        var found = (await actable.SearchAsync(caller, q, MaxSearchResults, cancellationToken))
            .Select(p => new IdentitySummary(p.Identity.HsaId, p.Identity.GivenName, p.Identity.FamilyName, p.Identity.Protected)).ToList();
        return Results.Json(found, JsonBody.Options);
    }

    private async Task<List<Assignment>> AssignmentsOfAsync(Caller caller, CancellationToken cancellationToken)
    {
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
                var manager = await names.OfAsync(caller.Reader, delegation.ManagerId, cancellationToken);
                assignments.Add(new Assignment(ManagerResource, DirectoryRepository.Format(delegation.ValidFrom), DirectoryRepository.Format(delegation.ValidTo),
                    ["Delegerad av " + manager.Name], delegation.Status.ToString()));
            }
        }

        foreach (var role in caller.Person.OrdererRoles.Where(r => r.ValidTo is null || r.ValidTo >= caller.Today))
        {
            // R12: why it is held — the order it came from and who approved it (the manager who placed it, or the approver),
            // each named as the caller may see them (R10).
            List<string> reasons = ["Enheter: " + string.Join(", ", role.OrgUnitIds)];
            if (await requests.GetAsync(role.HsaId, role.RoleId, cancellationToken) is { } order)
            {
                var approver = await names.OfAsync(caller.Reader, order.Approval?.By ?? order.RequestedBy, cancellationToken);
                reasons.Add("Beställning " + order.RequestId);
                var asDelegate = order.Approval?.Reference is { } managerId
                    ? " som delegat för " + (await names.OfAsync(caller.Reader, managerId, cancellationToken)).Name
                    : "";
                reasons.Add("Godkänd av " + approver.Name + asDelegate);
            }

            assignments.Add(new Assignment(OrdererResource, DirectoryRepository.Format(role.ValidFrom), DirectoryRepository.Format(role.ValidTo),
                reasons, role.IsValidOn(caller.Today) ? "Active" : "Scheduled"));
        }

        foreach (var service in caller.Person.UserServices.Where(s => s.Status == UserServiceStatus.Active))
        {
            assignments.Add(new Assignment($"Användartjänst {service.Level}", DirectoryRepository.Format(service.ActivatedOn), DirectoryRepository.Format(service.EndedOn),
                [service.OrderId is null ? "KiV" : "Beställning " + service.OrderId, "Engagemang " + service.EngagementId], service.Status.ToString()));
        }

        foreach (var membership in caller.Person.Memberships)
        {
            var approver = membership.ApprovedBy is null ? "gruppens ägare" : (await names.OfAsync(caller.Reader, membership.ApprovedBy, cancellationToken)).Name;
            assignments.Add(new Assignment("AMU " + (amu.Find(membership.GroupId)?.Name ?? membership.GroupId), DirectoryRepository.Format(membership.GrantedOn), null,
                ["Ansökan " + membership.RequestId, "Godkänd av " + approver], "Active"));
        }

        return assignments;
    }

    private static bool MayActOn(Caller caller, Person target, OrgTree tree) => ActablePeople.MayActOn(caller, target, tree);

    /// <summary>The engagements with each manager's HSA-id as the reader may see it (R10).</summary>
    private async Task<List<EngagementView>> ViewsAsync(Reader reader, IEnumerable<Engagement> engagements, CancellationToken cancellationToken)
    {
        List<EngagementView> views = [];
        foreach (var e in engagements)
        {
            var manager = e.ManagerHsaId is null ? null : (await names.OfAsync(reader, e.ManagerHsaId, cancellationToken)).HsaId;
            views.Add(new(e.EngagementId, e.OrgUnitId, e.Title, DirectoryRepository.Format(e.StartDate)!, DirectoryRepository.Format(e.EndDate), manager,
                e.Kind is { } kind ? EngagementKinds.NameOf(kind) : null));
        }

        return views;
    }

    private static UserServiceView ToView(UserService s) =>
        new(s.EngagementId, s.Level, s.Status.ToString(), DirectoryRepository.Format(s.ActivatedOn), DirectoryRepository.Format(s.EndedOn));

    public async Task<IResult> IdentityAsync(HttpRequest request, string hsaId, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        var target = hsaId.Length <= 64 ? await directory.GetPersonAsync(hsaId, cancellationToken) : null;
        if (target is null || !MayActOn(caller, target, await directory.GetOrgTreeAsync(cancellationToken)))
        {
            // Unknown, protected from this caller, or outside their rights: one answer for all (R10).
            return Problems.NotFound("Identiteten finns inte",
                $"Det finns ingen identitet med HSA-id {hsaId} som du kan se. Kontrollera HSA-id:t.");
        }

        return Results.Json(new IdentityView(
            target.Identity.HsaId, target.Identity.GivenName, target.Identity.FamilyName, target.Identity.Email, target.Identity.Protected,
            await ViewsAsync(caller.Reader, target.Engagements, cancellationToken), target.UserServices.Select(ToView).ToList()), JsonBody.Options);
    }
}
