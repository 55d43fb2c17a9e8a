using System.Text;
using Azure.Data.Tables;

namespace Behorighetsportal.Directory;

/// <summary>
/// The people search's index (table <c>PersonIndex</c>): for every engagement, one row per search key of its person —
/// "förnamn efternamn", "efternamn förnamn" and the HSA-id, lower case — in the partition of the engagement's
/// administration: PK = administration, RK = <c>{key}|{hsaId}|{engagementId}</c>. A search by name or HSA-id prefix
/// within an administration (an orderer's scope, R9) is then one range query, read only as far as the results need,
/// instead of one partition query per unit and per person. Each row carries the identity and the engagement as they
/// were written, so whether the caller may act on the person (R1, R10) is decided from the rows. The manager's side
/// is the ManagerIndex row of each engagement, which carries the same fields (<see cref="ToEntity"/>).
/// </summary>
/// <remarks>
/// Written wherever identities and engagements are written (<see cref="DirectoryRepository"/>: KiV's import, the
/// demo seed, single writes). Data written before the index existed is indexed by
/// <see cref="DirectoryRepository.BackfillPersonIndexAsync"/>, which marks the index built; until then the search
/// reads the scope as before.
/// </remarks>
public static class PersonIndex
{
    /// <summary>The row that says every person stored is indexed (written by the backfill).</summary>
    public const string BuiltPartition = "~";
    public const string BuiltRow = "built";

    /// <summary>A ManagerIndex or PersonIndex row written with the person's fields carries this.</summary>
    private const string IndexedField = "GivenName";

    /// <summary>Lower case, one space between words, and none of the characters a row key may not hold (nor the separator).</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '#' or '?' or '|')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>What a search may begin with: given name first, family name first, the HSA-id.</summary>
    public static IReadOnlyList<string> Keys(Identity identity) =>
        new[] { $"{identity.GivenName} {identity.FamilyName}", $"{identity.FamilyName} {identity.GivenName}", identity.HsaId }
            .Select(Normalize).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Whether one of the person's keys begins with the (normalized) query: the index's rule, for rows read otherwise.</summary>
    public static bool Matches(Identity identity, string normalizedQuery) =>
        Keys(identity).Any(k => k.StartsWith(normalizedQuery, StringComparison.Ordinal));

    /// <summary>The PersonIndex rows of one engagement: none when its unit's administration is unknown (no orderer covers it).</summary>
    public static IEnumerable<TableEntity> RowsFor(Identity identity, Engagement engagement, OrgTree tree) =>
        tree.AdministrationOf(engagement.OrgUnitId) is { } administration
            ? Keys(identity).Select(key => ToEntity(administration, $"{key}|{identity.HsaId}|{engagement.EngagementId}", identity, engagement))
            : [];

    /// <summary>The upper bound of a range query for keys beginning with <paramref name="prefix"/>.</summary>
    public static string UpperBound(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <summary>A row (PersonIndex, or ManagerIndex with <paramref name="rowKey"/> the engagement id) carrying the person and the engagement.</summary>
    public static TableEntity ToEntity(string partitionKey, string rowKey, Identity identity, Engagement engagement) =>
        new(partitionKey, rowKey)
        {
            ["HsaId"] = identity.HsaId,
            ["EngagementId"] = engagement.EngagementId,
            [IndexedField] = identity.GivenName,
            ["FamilyName"] = identity.FamilyName,
            ["Email"] = identity.Email,
            ["Protected"] = identity.Protected,
            ["OrgUnitId"] = engagement.OrgUnitId,
            ["Title"] = engagement.Title,
            ["StartDate"] = DirectoryRepository.Format(engagement.StartDate),
            ["EndDate"] = DirectoryRepository.Format(engagement.EndDate),
            ["ManagerHsaId"] = engagement.ManagerHsaId,
        };

    /// <summary>The person and engagement a row carries; null for a ManagerIndex row written before the index (HSA-id only).</summary>
    public static (Identity Identity, Engagement Engagement)? Read(TableEntity row)
    {
        if (row.GetString(IndexedField) is not { } givenName)
        {
            return null;
        }

        var hsaId = row.GetString("HsaId");
        return (new Identity(hsaId, givenName, row.GetString("FamilyName"), row.GetString("Email") ?? "", row.GetBoolean("Protected") ?? false),
            new Engagement(row.GetString("EngagementId"), hsaId, row.GetString("OrgUnitId"), row.GetString("Title") ?? "",
                DirectoryRepository.ParseDate(row.GetString("StartDate")) ?? DateOnly.MinValue, DirectoryRepository.ParseDate(row.GetString("EndDate")),
                row.GetString("ManagerHsaId")));
    }
}
