using Behorighetsportal.Approvals;
using Behorighetsportal.Http;
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
    CallerResolver callers, DirectoryRepository directory, PersonNames names, ApprovalQueue approvals, ActablePeople actable, AssignedPermissions assignments)
{
    private const int MaxSearchResults = 50;

    public const string ManagerResource = AssignedPermissions.ManagerResource;
    public const string OrdererResource = AssignedPermissions.OrdererResource;

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

    /// <summary>The caller's assigned permissions (R12): <see cref="AssignedPermissions"/>' rule, in the JSON shape.</summary>
    private async Task<List<Assignment>> AssignmentsOfAsync(Caller caller, CancellationToken cancellationToken) =>
        (await assignments.OfAsync(caller, caller.Person, cancellationToken)).Select(a => a.ToJson()).ToList();

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
