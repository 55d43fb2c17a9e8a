using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Policies;

public sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>Policy administrators per administration: <c>Policies:Administrators:SU</c> = comma-separated HSA-ids.</summary>
    public Dictionary<string, string> Administrators { get; set; } = [];

    public bool Administers(string hsaId, string administration) =>
        Administrators.TryGetValue(administration, out var list)
        && list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(hsaId, StringComparer.Ordinal);
}

/// <summary>A policy as sent: <c>kinds</c> (optional) are engagement kinds by their Swedish names.</summary>
public sealed record PolicyBody(string? Administration, string? UnderOrgUnitId, List<string>? Titles, string? Level, int? Priority, List<string>? Kinds = null);

public sealed record PolicyView(
    string PolicyId, string Administration, string UnderOrgUnitId, IReadOnlyList<string> Titles, string Level, int Priority, IReadOnlyList<string> Kinds);

/// <summary>One engagement in a preview; a protected identity shows no name to a policy administrator (R10).</summary>
public sealed record PreviewEntry(string? HsaId, string Name, string EngagementId, string? FromLevel, string? ToLevel);

public sealed record PolicyPreview(
    string PolicyId, int Covered, IReadOnlyList<PreviewEntry> Gain, IReadOnlyList<PreviewEntry> Lose, IReadOnlyList<PreviewEntry> Change);

/// <summary>
/// A saved policy, what it changes and the run that carries that out in the background
/// (<see cref="Kiv.NightlyReconciliationOrchestrator.StartForPolicyAsync"/>); its id is for operators and logs.
/// </summary>
public sealed record PolicySaved(PolicyView Policy, PolicyPreview Applied, string ReevaluationId);

/// <summary>
/// GET /api/policies, PUT /api/policies/{id} and POST /api/policies/{id}/preview (R5). Saving answers what changes
/// for the engagements the old and the new policy cover and has a durable run carry it out; preview shows, without
/// changing anything, who would gain, lose or change level.
/// </summary>
public sealed class PolicyEndpoints(
    CallerResolver callers, DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine,
    ServiceLevelCatalog levels, IOptions<PolicyOptions> options, TimeProvider clock)
{
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (await callers.ResolveAsync(request, cancellationToken) is null)
        {
            return Problems.Unauthorized();
        }

        return Results.Json((await policies.ListAsync(cancellationToken)).OrderBy(p => p.Administration).ThenBy(p => p.PolicyId).Select(View).ToList(), JsonBody.Options);
    }

    public Task<IResult> PreviewAsync(HttpRequest request, string policyId, CancellationToken cancellationToken) =>
        HandleAsync(request, policyId, durable: null, cancellationToken);

    public Task<IResult> SaveAsync(HttpRequest request, string policyId, DurableTaskClient durable, CancellationToken cancellationToken) =>
        HandleAsync(request, policyId, durable, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, string policyId, DurableTaskClient? durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<PolicyBody>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (policyId.Length is 0 or > 64 || !policyId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            errors["policyId"] = ["Policy-id får bestå av högst 64 bokstäver, siffror och bindestreck."];
        }

        if (string.IsNullOrWhiteSpace(body.Administration) || !tree.HasAdministration(body.Administration))
        {
            errors["administration"] = ["Ange en förvaltning som finns i Katalog i Väst."];
        }

        if (body.UnderOrgUnitId is null || tree.Find(body.UnderOrgUnitId) is not { } unit || unit.Administration != body.Administration)
        {
            errors["underOrgUnitId"] = ["Ange en organisatorisk enhet i samma förvaltning som policyn."];
        }

        var level = levels.Find(body.Level);
        if (level is null)
        {
            errors["level"] = [$"Okänd nivå. Välj en av: {string.Join(", ", levels.Levels.Select(l => l.Level))}."];
        }

        List<EngagementKind> kinds = [];
        foreach (var name in (body.Kinds ?? []).Where(k => !string.IsNullOrWhiteSpace(k)))
        {
            if (EngagementKinds.TryParse(name, out var kind))
            {
                kinds.Add(kind);
            }
            else
            {
                errors["kinds"] = [$"Okänd anställningsform \"{(name.Length <= 40 ? name : name[..40] + "…")}\". Tillåtna värden: {EngagementKinds.Allowed}."];
                break;
            }
        }

        if (errors.Count > 0)
        {
            return Problems.BadRequest("Policyn är inte komplett", "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);
        }

        var existing = (await policies.ListAsync(cancellationToken)).FirstOrDefault(p => p.PolicyId == policyId);
        if (!options.Value.Administers(caller.HsaId, body.Administration!) || (existing is not null && !options.Value.Administers(caller.HsaId, existing.Administration)))
        {
            return Problems.Forbidden($"Du är inte policyadministratör för förvaltningen {body.Administration}. Kontakta förvaltningens SIS-funktion.");
        }

        var candidate = new AssignmentPolicy(policyId, body.Administration!, body.UnderOrgUnitId!,
            (body.Titles ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct().ToList(), level!.Level, body.Priority ?? 0,
            kinds.Distinct().Order().ToList());
        var all = await policies.ListAsync(cancellationToken);
        var after = all.Where(p => p.PolicyId != policyId).Append(candidate).ToList();

        // Everyone the old or the new version covers may be affected.
        var scope = (await engine.EngagementsUnderAsync(candidate.UnderOrgUnitId, tree, cancellationToken))
            .Concat(existing is null ? [] : await engine.EngagementsUnderAsync(existing.UnderOrgUnitId, tree, cancellationToken))
            .Distinct().ToList();
        var changes = await engine.EvaluateAsync(scope, after, tree, cancellationToken);
        var preview = Preview(policyId, scope.Count, changes, caller);
        if (durable is null)
        {
            return Results.Json(preview, JsonBody.Options);
        }

        await policies.UpsertAsync(candidate, cancellationToken);
        var units = tree.Subtree(candidate.UnderOrgUnitId).Concat(existing is null ? [] : tree.Subtree(existing.UnderOrgUnitId))
            .Select(u => u.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reevaluation = await Kiv.NightlyReconciliationOrchestrator.StartForPolicyAsync(durable, policyId, units, clock.GetUtcNow(), cancellationToken);
        return Results.Json(new PolicySaved(View(candidate), preview, reevaluation), JsonBody.Options);
    }

    private static PolicyPreview Preview(string policyId, int covered, IReadOnlyList<(PolicyChange Change, Person Person)> changes, Caller caller)
    {
        PreviewEntry Entry((PolicyChange Change, Person Person) c) =>
            PersonNames.Of(caller.Reader, c.Person) is { HsaId: { } hsaId } named
                ? new PreviewEntry(hsaId, named.Name, c.Change.EngagementId, c.Change.FromLevel, c.Change.ToLevel)
                : new PreviewEntry(null, PersonName.Sentence(PersonNames.Protected), "–", c.Change.FromLevel, c.Change.ToLevel);
        List<PreviewEntry> Of(PolicyChangeKind kind) => changes.Where(c => c.Change.Kind == kind).Select(Entry).ToList();
        return new PolicyPreview(policyId, covered, Of(PolicyChangeKind.Gain), Of(PolicyChangeKind.Lose), Of(PolicyChangeKind.Change));
    }

    private static PolicyView View(AssignmentPolicy p) =>
        new(p.PolicyId, p.Administration, p.UnderOrgUnitId, p.Titles, p.Level, p.Priority, (p.Kinds ?? []).Select(EngagementKinds.NameOf).ToList());
}
