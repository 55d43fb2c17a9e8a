using Behorighetsportal.Directory;

namespace Behorighetsportal.Kiv;

public sealed record KivOrgUnit(string? Id, string? Name, string? Administration, string? ParentId);

public sealed record KivIdentity(string? HsaId, string? GivenName, string? FamilyName, string? Email, bool? Protected);

/// <summary>An engagement row; <c>Kind</c> is optional: tillsvidare, visstid, timanställd or konsult.</summary>
public sealed record KivEngagement(
    string? EngagementId, string? HsaId, string? OrgUnitId, string? Title, string? StartDate, string? EndDate, string? ManagerHsaId, string? Kind = null);

/// <summary>A batch from Katalog i Väst, shaped as the demo organisation but with absolute dates.</summary>
public sealed record KivBatch(List<KivOrgUnit>? OrgUnits, List<KivIdentity>? Identities, List<KivEngagement>? Engagements);

/// <summary>
/// One bad row: which list, which position (from 0), which id, what is wrong (in Swedish) and, when one field is at
/// fault, which (its JSON name).
/// </summary>
public sealed record KivRowError(string Section, int Row, string? Id, string Reason, string? Field = null)
{
    /// <summary>The JSON path of what is wrong, as <c>errors</c> is keyed: <c>engagements[3].endDate</c>.</summary>
    public string Path => Field is null ? $"{Section}[{Row}]" : $"{Section}[{Row}].{Field}";
}

/// <summary>A batch that passed validation, in the directory's own records.</summary>
public sealed record ValidKivBatch(IReadOnlyList<OrgUnit> OrgUnits, IReadOnlyList<Identity> Identities, IReadOnlyList<Engagement> Engagements);

/// <summary>
/// Validates a KiV batch as a whole before anything of it is stored: every row on its own (ids, texts within their
/// lengths, dates within <see cref="DateWindow.Kiv"/>), no id twice, and every reference (parent unit, person, unit,
/// manager) either in the batch or already in the directory. What passes here can be stored and processed; nothing
/// is left to fail a table write or a durable timer later.
/// </summary>
public static class KivBatchValidator
{
    public const int MaxErrorsReported = 50;

    /// <summary>Longest unit name, and longest title of an engagement.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest given name or family name of a person.</summary>
    public const int MaxPersonNameLength = 100;

    /// <summary>Longest email address (RFC 5321).</summary>
    public const int MaxEmailLength = 254;

    public static (ValidKivBatch? Batch, IReadOnlyList<KivRowError> Errors) Validate(
        KivBatch batch, OrgTree existingTree, Func<string, bool> identityExists, DateOnly today)
    {
        List<KivRowError> errors = [];
        List<OrgUnit> units = [];
        List<Identity> identities = [];
        List<Engagement> engagements = [];
        var dates = DateWindow.Kiv(today);

        var batchUnits = new Dictionary<string, KivOrgUnit>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.OrgUnits ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string field, string reason) => errors.Add(new KivRowError("orgUnits", i, row?.Id, reason, field));
            if (row is null || !IsId(row.Id)) { Fail("id", "Id saknas eller är ogiltigt."); continue; }
            if (TextProblem(row.Name, "Namn", MaxNameLength) is { } name) { Fail("name", name); continue; }
            if (!IsId(row.Administration)) { Fail("administration", "Förvaltning saknas."); continue; }
            if (!batchUnits.TryAdd(row.Id!, row)) { Fail("id", "Enheten finns två gånger i batchen."); continue; }
        }

        string? AdministrationOf(string? unitId) =>
            unitId is null ? null : batchUnits.TryGetValue(unitId, out var u) ? u.Administration : existingTree.AdministrationOf(unitId);

        foreach (var (row, i) in (batch.OrgUnits ?? []).Select((r, i) => (r, i)))
        {
            if (row?.Id is null || !batchUnits.TryGetValue(row.Id, out var kept) || !ReferenceEquals(kept, row))
            {
                continue;
            }

            var parentAdministration = AdministrationOf(row.ParentId);
            if (row.ParentId is not null && parentAdministration is null)
            {
                errors.Add(new KivRowError("orgUnits", i, row.Id, $"Överordnad enhet {Shorten(row.ParentId)} finns varken i batchen eller i katalogen.", "parentId"));
            }
            else if (row.ParentId is not null && parentAdministration != row.Administration)
            {
                errors.Add(new KivRowError("orgUnits", i, row.Id, "Överordnad enhet hör till en annan förvaltning.", "parentId"));
            }
            else
            {
                units.Add(new OrgUnit(row.Id, row.Name!.Trim(), row.Administration!, row.ParentId));
            }
        }

        var batchPeople = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.Identities ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string field, string reason) => errors.Add(new KivRowError("identities", i, row?.HsaId, reason, field));
            if (row is null || !IsId(row.HsaId)) { Fail("hsaId", "HSA-id saknas eller är ogiltigt."); continue; }
            if (TextProblem(row.GivenName, "Förnamn", MaxPersonNameLength) is { } given) { Fail("givenName", given); continue; }
            if (TextProblem(row.FamilyName, "Efternamn", MaxPersonNameLength) is { } family) { Fail("familyName", family); continue; }
            if (string.IsNullOrWhiteSpace(row.Email) || !row.Email.Contains('@', StringComparison.Ordinal) || row.Email.Trim().Length > MaxEmailLength)
            {
                Fail("email", $"E-postadress saknas eller är ogiltig (högst {MaxEmailLength} tecken).");
                continue;
            }

            if (!batchPeople.Add(row.HsaId!)) { Fail("hsaId", "Identiteten finns två gånger i batchen."); continue; }
            identities.Add(new Identity(row.HsaId!, row.GivenName!.Trim(), row.FamilyName!.Trim(), row.Email.Trim(), row.Protected ?? false));
        }

        bool PersonKnown(string hsaId) => batchPeople.Contains(hsaId) || identityExists(hsaId);

        var batchEngagements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.Engagements ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string field, string reason) => errors.Add(new KivRowError("engagements", i, row?.EngagementId, reason, field));
            if (row is null || !IsId(row.EngagementId)) { Fail("engagementId", "Engagemangs-id saknas eller är ogiltigt."); continue; }
            if (!batchEngagements.Add(row.EngagementId!)) { Fail("engagementId", "Engagemanget finns två gånger i batchen."); continue; }
            if (!IsId(row.HsaId) || !PersonKnown(row.HsaId!)) { Fail("hsaId", $"Identiteten {Shorten(row.HsaId)} finns varken i batchen eller i katalogen."); continue; }
            if (!IsId(row.OrgUnitId) || AdministrationOf(row.OrgUnitId) is null) { Fail("orgUnitId", $"Enheten {Shorten(row.OrgUnitId)} finns varken i batchen eller i katalogen."); continue; }
            if (TextProblem(row.Title, "Befattning (title)", MaxNameLength) is { } title) { Fail("title", title); continue; }
            if (!DateWindow.TryParse(row.StartDate, out var start)) { Fail("startDate", "Startdatum saknas eller är inte ÅÅÅÅ-MM-DD."); continue; }
            if (dates.Check(start, "Startdatum") is { } startOutside) { Fail("startDate", startOutside); continue; }
            DateOnly? end = null;
            if (row.EndDate is not null)
            {
                if (!DateWindow.TryParse(row.EndDate, out var parsed)) { Fail("endDate", "Slutdatum är inte ÅÅÅÅ-MM-DD."); continue; }
                if (dates.Check(parsed, "Slutdatum") is { } endOutside) { Fail("endDate", endOutside); continue; }
                if (parsed < start) { Fail("endDate", "Slutdatum ligger före startdatum."); continue; }
                end = parsed;
            }

            if (row.ManagerHsaId is not null && (!IsId(row.ManagerHsaId) || !PersonKnown(row.ManagerHsaId))) { Fail("managerHsaId", $"Chefen {Shorten(row.ManagerHsaId)} finns varken i batchen eller i katalogen."); continue; }
            if (row.ManagerHsaId == row.HsaId) { Fail("managerHsaId", "En person kan inte vara sin egen chef."); continue; }
            EngagementKind? kind = null;
            if (row.Kind is not null)
            {
                if (!EngagementKinds.TryParse(row.Kind, out var parsedKind)) { Fail("kind", $"Okänd anställningsform (kind) \"{Shorten(row.Kind)}\". Tillåtna värden: {EngagementKinds.Allowed}."); continue; }
                kind = parsedKind;
            }

            engagements.Add(new Engagement(row.EngagementId!, row.HsaId!, row.OrgUnitId!, row.Title!.Trim(), start, end, row.ManagerHsaId, kind));
        }

        return errors.Count == 0 ? (new ValidKivBatch(units, identities, engagements), errors) : (null, errors.Take(MaxErrorsReported).ToList());
    }

    /// <summary>A required text: present, and within its length once trimmed (what is stored); null when fine.</summary>
    private static string? TextProblem(string? text, string label, int maxLength) =>
        string.IsNullOrWhiteSpace(text) ? $"{label} saknas."
        : text.Trim().Length > maxLength ? $"{label} får vara högst {maxLength} tecken (är {text.Trim().Length})."
        : null;

    private static string Shorten(string? text) => text is null || text.Length <= 40 ? text ?? "" : text[..40] + "…";

    public static bool IsId(string? id) => !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
