using System.Globalization;
using Behorighetsportal.Directory;

namespace Behorighetsportal.Kiv;

public sealed record KivOrgUnit(string? Id, string? Name, string? Administration, string? ParentId);

public sealed record KivIdentity(string? HsaId, string? GivenName, string? FamilyName, string? Email, bool? Protected);

/// <summary>An engagement row; <c>Kind</c> is optional: tillsvidare, visstid, timanställd or konsult.</summary>
public sealed record KivEngagement(
    string? EngagementId, string? HsaId, string? OrgUnitId, string? Title, string? StartDate, string? EndDate, string? ManagerHsaId, string? Kind = null);

/// <summary>A batch from Katalog i Väst, shaped as the demo organisation but with absolute dates.</summary>
public sealed record KivBatch(List<KivOrgUnit>? OrgUnits, List<KivIdentity>? Identities, List<KivEngagement>? Engagements);

/// <summary>One bad row: which list, which position (from 0), which id, and what is wrong, in Swedish.</summary>
public sealed record KivRowError(string Section, int Row, string? Id, string Reason);

/// <summary>A batch that passed validation, in the directory's own records.</summary>
public sealed record ValidKivBatch(IReadOnlyList<OrgUnit> OrgUnits, IReadOnlyList<Identity> Identities, IReadOnlyList<Engagement> Engagements);

/// <summary>
/// Validates a KiV batch as a whole before anything of it is stored: every row on its own, no id twice, and
/// every reference (parent unit, person, unit, manager) either in the batch or already in the directory.
/// </summary>
public static class KivBatchValidator
{
    public const int MaxErrorsReported = 50;

    public static (ValidKivBatch? Batch, IReadOnlyList<KivRowError> Errors) Validate(
        KivBatch batch, OrgTree existingTree, Func<string, bool> identityExists)
    {
        List<KivRowError> errors = [];
        List<OrgUnit> units = [];
        List<Identity> identities = [];
        List<Engagement> engagements = [];

        var batchUnits = new Dictionary<string, KivOrgUnit>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.OrgUnits ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string reason) => errors.Add(new KivRowError("orgUnits", i, row?.Id, reason));
            if (row is null || !IsId(row.Id)) { Fail("Id saknas eller är ogiltigt."); continue; }
            if (string.IsNullOrWhiteSpace(row.Name)) { Fail("Namn saknas."); continue; }
            if (!IsId(row.Administration)) { Fail("Förvaltning saknas."); continue; }
            if (!batchUnits.TryAdd(row.Id!, row)) { Fail("Enheten finns två gånger i batchen."); continue; }
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
                errors.Add(new KivRowError("orgUnits", i, row.Id, $"Överordnad enhet {row.ParentId} finns varken i batchen eller i katalogen."));
            }
            else if (row.ParentId is not null && parentAdministration != row.Administration)
            {
                errors.Add(new KivRowError("orgUnits", i, row.Id, "Överordnad enhet hör till en annan förvaltning."));
            }
            else
            {
                units.Add(new OrgUnit(row.Id, row.Name!.Trim(), row.Administration!, row.ParentId));
            }
        }

        var batchPeople = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.Identities ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string reason) => errors.Add(new KivRowError("identities", i, row?.HsaId, reason));
            if (row is null || !IsId(row.HsaId)) { Fail("HSA-id saknas eller är ogiltigt."); continue; }
            if (string.IsNullOrWhiteSpace(row.GivenName) || string.IsNullOrWhiteSpace(row.FamilyName)) { Fail("För- och efternamn krävs."); continue; }
            if (string.IsNullOrWhiteSpace(row.Email) || !row.Email.Contains('@', StringComparison.Ordinal) || row.Email.Length > 254) { Fail("E-postadress saknas eller är ogiltig."); continue; }
            if (!batchPeople.Add(row.HsaId!)) { Fail("Identiteten finns två gånger i batchen."); continue; }
            identities.Add(new Identity(row.HsaId!, row.GivenName.Trim(), row.FamilyName.Trim(), row.Email.Trim(), row.Protected ?? false));
        }

        bool PersonKnown(string hsaId) => batchPeople.Contains(hsaId) || identityExists(hsaId);

        var batchEngagements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, i) in (batch.Engagements ?? []).Select((r, i) => (r, i)))
        {
            void Fail(string reason) => errors.Add(new KivRowError("engagements", i, row?.EngagementId, reason));
            if (row is null || !IsId(row.EngagementId)) { Fail("Engagemangs-id saknas eller är ogiltigt."); continue; }
            if (!batchEngagements.Add(row.EngagementId!)) { Fail("Engagemanget finns två gånger i batchen."); continue; }
            if (!IsId(row.HsaId) || !PersonKnown(row.HsaId!)) { Fail($"Identiteten {row.HsaId} finns varken i batchen eller i katalogen."); continue; }
            if (!IsId(row.OrgUnitId) || AdministrationOf(row.OrgUnitId) is null) { Fail($"Enheten {row.OrgUnitId} finns varken i batchen eller i katalogen."); continue; }
            if (string.IsNullOrWhiteSpace(row.Title)) { Fail("Befattning (title) saknas."); continue; }
            if (!TryDate(row.StartDate, out var start)) { Fail("Startdatum saknas eller är inte ÅÅÅÅ-MM-DD."); continue; }
            DateOnly? end = null;
            if (row.EndDate is not null)
            {
                if (!TryDate(row.EndDate, out var parsed)) { Fail("Slutdatum är inte ÅÅÅÅ-MM-DD."); continue; }
                if (parsed < start) { Fail("Slutdatum ligger före startdatum."); continue; }
                end = parsed;
            }

            if (row.ManagerHsaId is not null && (!IsId(row.ManagerHsaId) || !PersonKnown(row.ManagerHsaId))) { Fail($"Chefen {row.ManagerHsaId} finns varken i batchen eller i katalogen."); continue; }
            if (row.ManagerHsaId == row.HsaId) { Fail("En person kan inte vara sin egen chef."); continue; }
            EngagementKind? kind = null;
            if (row.Kind is not null)
            {
                if (!EngagementKinds.TryParse(row.Kind, out var parsedKind)) { Fail($"Okänd anställningsform (kind) \"{Shorten(row.Kind)}\". Tillåtna värden: {EngagementKinds.Allowed}."); continue; }
                kind = parsedKind;
            }

            engagements.Add(new Engagement(row.EngagementId!, row.HsaId!, row.OrgUnitId!, row.Title.Trim(), start, end, row.ManagerHsaId, kind));
        }

        return errors.Count == 0 ? (new ValidKivBatch(units, identities, engagements), errors) : (null, errors.Take(MaxErrorsReported).ToList());
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    public static bool IsId(string? id) => !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
