using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Policies;

/// <summary>A policy as a person sends it (the JSON body or the policy form): every field unchecked.</summary>
public sealed record PolicyCommand(
    string? Administration, string? UnderOrgUnitId, IReadOnlyList<string>? Titles, string? Level, int? Priority, IReadOnlyList<string>? Kinds);

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
/// The assignment policies (R5) for GET/PUT /api/policies, POST /api/policies/{id}/preview and the /policyer pages alike:
/// listing them, and previewing or saving a changed one. Preview and save check the fields first (400), then that the
/// caller administers both the policy's new and its stored administration (403), before anything is evaluated or
/// written, so a refused change changes nothing. Saving has a durable run carry out what the preview showed.
/// </summary>
public sealed class PolicyService(
    DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine,
    ServiceLevelCatalog levels, IOptions<PolicyOptions> options, TimeProvider clock)
{
    /// <summary>A checked change: the policy as it would be, the stored one it replaces, and the whole policy set after it.</summary>
    private sealed record Candidate(AssignmentPolicy Policy, AssignmentPolicy? Existing, IReadOnlyList<AssignmentPolicy> After, OrgTree Tree);

    public IReadOnlyList<ServiceLevel> Levels => levels.Levels;

    /// <summary>Every policy, by administration and id; any signed-in person may read them.</summary>
    public async Task<IReadOnlyList<AssignmentPolicy>> ListAsync(CancellationToken cancellationToken) =>
        (await policies.ListAsync(cancellationToken)).OrderBy(p => p.Administration).ThenBy(p => p.PolicyId).ToList();

    public async Task<AssignmentPolicy?> FindAsync(string policyId, CancellationToken cancellationToken) =>
        (await policies.ListAsync(cancellationToken)).FirstOrDefault(p => p.PolicyId == policyId);

    /// <summary>Who administers the administration's policies (<c>Policies:Administrators</c>).</summary>
    public IReadOnlyList<string> AdministratorsOf(string administration) => options.Value.AdministratorsOf(administration);

    /// <summary>Whether the caller may change the administration's policies — what the policy page offers.</summary>
    public bool Administers(Caller caller, string administration) => options.Value.Administers(caller.HsaId, administration);

    /// <summary>The fields' check alone (what preview and save answer 400 for), or null when they hold.</summary>
    public async Task<Refusal?> ValidateAsync(string policyId, PolicyCommand command, CancellationToken cancellationToken) =>
        Validate(policyId, command, await directory.GetOrgTreeAsync(cancellationToken), out _, out _);

    /// <summary>Who would gain, lose or change level if the policy were saved so; changes nothing.</summary>
    public async Task<(PolicyPreview? Preview, Refusal? Refusal)> PreviewAsync(
        Caller caller, string policyId, PolicyCommand command, CancellationToken cancellationToken)
    {
        var (candidate, refusal) = await CheckAsync(caller, policyId, command, cancellationToken);
        return candidate is null ? (null, refusal) : (await PreviewOfAsync(caller, candidate, cancellationToken), null);
    }

    /// <summary>Saves the policy and starts the run that carries out what it changes; answers what the preview would have.</summary>
    public async Task<(PolicySaved? Saved, Refusal? Refusal)> SaveAsync(
        Caller caller, string policyId, PolicyCommand command, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (candidate, refusal) = await CheckAsync(caller, policyId, command, cancellationToken);
        if (candidate is null)
        {
            return (null, refusal);
        }

        var preview = await PreviewOfAsync(caller, candidate, cancellationToken);
        var (policy, existing, tree) = (candidate.Policy, candidate.Existing, candidate.Tree);
        await policies.UpsertAsync(policy, cancellationToken);
        var units = tree.Subtree(policy.UnderOrgUnitId).Concat(existing is null ? [] : tree.Subtree(existing.UnderOrgUnitId))
            .Select(u => u.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reevaluation = await Kiv.NightlyReconciliationOrchestrator.StartForPolicyAsync(durable, policyId, units, clock.GetUtcNow(), cancellationToken);
        return (new PolicySaved(View(policy), preview, reevaluation), null);
    }

    public static PolicyView View(AssignmentPolicy p) =>
        new(p.PolicyId, p.Administration, p.UnderOrgUnitId, p.Titles, p.Level, p.Priority, (p.Kinds ?? []).Select(EngagementKinds.NameOf).ToList());

    private async Task<(Candidate? Candidate, Refusal? Refusal)> CheckAsync(
        Caller caller, string policyId, PolicyCommand command, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        if (Validate(policyId, command, tree, out var level, out var kinds) is { } invalid)
        {
            return (null, invalid);
        }

        var all = await policies.ListAsync(cancellationToken);
        var existing = all.FirstOrDefault(p => p.PolicyId == policyId);
        if (!options.Value.Administers(caller.HsaId, command.Administration!) || (existing is not null && !options.Value.Administers(caller.HsaId, existing.Administration)))
        {
            return (null, Problems.Forbidden($"Du är inte policyadministratör för förvaltningen {command.Administration}. Kontakta förvaltningens SIS-funktion."));
        }

        var policy = new AssignmentPolicy(policyId, command.Administration!, command.UnderOrgUnitId!,
            (command.Titles ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct().ToList(), level!.Level, command.Priority ?? 0,
            kinds.Distinct().Order().ToList());
        return (new Candidate(policy, existing, all.Where(p => p.PolicyId != policyId).Append(policy).ToList(), tree), null);
    }

    private Refusal? Validate(string policyId, PolicyCommand command, OrgTree tree, out ServiceLevel? level, out List<EngagementKind> kinds)
    {
        var errors = new Dictionary<string, string[]>();
        if (policyId.Length is 0 or > 64 || !policyId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            errors["policyId"] = ["Policy-id får bestå av högst 64 bokstäver, siffror och bindestreck."];
        }

        if (string.IsNullOrWhiteSpace(command.Administration) || !tree.HasAdministration(command.Administration))
        {
            errors["administration"] = ["Ange en förvaltning som finns i Katalog i Väst."];
        }

        if (command.UnderOrgUnitId is null || tree.Find(command.UnderOrgUnitId) is not { } unit || unit.Administration != command.Administration)
        {
            errors["underOrgUnitId"] = ["Ange en organisatorisk enhet i samma förvaltning som policyn."];
        }

        level = levels.Find(command.Level);
        if (level is null)
        {
            errors["level"] = [$"Okänd nivå. Välj en av: {string.Join(", ", levels.Levels.Select(l => l.Level))}."];
        }

        kinds = [];
        foreach (var name in (command.Kinds ?? []).Where(k => !string.IsNullOrWhiteSpace(k)))
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

        return errors.Count > 0
            ? Problems.BadRequest("Policyn är inte komplett", "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors)
            : null;
    }

    private async Task<PolicyPreview> PreviewOfAsync(Caller caller, Candidate candidate, CancellationToken cancellationToken)
    {
        // Everyone the old or the new version covers may be affected.
        var (policy, existing, tree) = (candidate.Policy, candidate.Existing, candidate.Tree);
        var scope = (await engine.EngagementsUnderAsync(policy.UnderOrgUnitId, tree, cancellationToken))
            .Concat(existing is null ? [] : await engine.EngagementsUnderAsync(existing.UnderOrgUnitId, tree, cancellationToken))
            .Distinct().ToList();
        var changes = await engine.EvaluateAsync(scope, candidate.After, tree, cancellationToken);

        PreviewEntry Entry((PolicyChange Change, Person Person) c) =>
            PersonNames.Of(caller.Reader, c.Person) is { HsaId: { } hsaId } named
                ? new PreviewEntry(hsaId, named.Name, c.Change.EngagementId, c.Change.FromLevel, c.Change.ToLevel)
                : new PreviewEntry(null, PersonName.Sentence(PersonNames.Protected), "–", c.Change.FromLevel, c.Change.ToLevel);
        List<PreviewEntry> Of(PolicyChangeKind kind) => changes.Where(c => c.Change.Kind == kind).Select(Entry).ToList();
        return new PolicyPreview(policy.PolicyId, scope.Count, Of(PolicyChangeKind.Gain), Of(PolicyChangeKind.Lose), Of(PolicyChangeKind.Change));
    }
}
