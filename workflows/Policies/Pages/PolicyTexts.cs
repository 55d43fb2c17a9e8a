using Behorighetsportal.Directory;

namespace Behorighetsportal.Policies.Pages;

/// <summary>A policy in words for its pages: what it covers, which units it may cover, the engagement kinds by name.</summary>
public static class PolicyTexts
{
    /// <summary>Every engagement kind by its Swedish name (the names the JSON routes and KiV use), in a fixed order.</summary>
    public static IReadOnlyList<string> KindNames { get; } = Enum.GetValues<EngagementKind>().Select(EngagementKinds.NameOf).ToList();

    /// <summary>"Medicinkliniken (SU-MED) och enheterna under den · titlarna Sjuksköterska, Undersköterska · alla anställningsformer".</summary>
    public static string Covers(string underOrgUnitId, IReadOnlyList<string> titles, IReadOnlyList<string> kinds, OrgTree tree) => string.Join(" · ",
        $"{UnitName(underOrgUnitId, tree)} och enheterna under den",
        titles.Count == 0 ? "alla titlar" : (titles.Count == 1 ? "titeln " : "titlarna ") + string.Join(", ", titles),
        kinds.Count == 0 ? "alla anställningsformer" : (kinds.Count == 1 ? "anställningsformen " : "anställningsformerna ") + string.Join(", ", kinds));

    public static string Covers(AssignmentPolicy policy, OrgTree tree) =>
        Covers(policy.UnderOrgUnitId, policy.Titles, (policy.Kinds ?? []).Select(EngagementKinds.NameOf).ToList(), tree);

    public static string UnitName(string orgUnitId, OrgTree tree) => tree.Find(orgUnitId) is { } unit ? $"{unit.Name} ({unit.Id})" : orgUnitId;

    /// <summary>The administration's units as a tree read top down, each with its depth, for the unit list of the form.</summary>
    public static IReadOnlyList<(OrgUnit Unit, int Depth)> UnitsOf(string administration, OrgTree tree)
    {
        var units = tree.Units.Where(u => u.Administration == administration).ToList();
        var ids = units.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var children = units.ToLookup(u => u.ParentId is { } parent && ids.Contains(parent) ? parent : "", StringComparer.Ordinal);
        List<(OrgUnit, int)> result = [];
        void Add(string parent, int depth)
        {
            // Bounded like OrgTree's walks: a cycle in a KiV batch must not hang the page.
            if (depth > 64)
            {
                return;
            }

            foreach (var unit in children[parent].OrderBy(u => u.Name, StringComparer.Create(Web.Swedish.Culture, ignoreCase: true)))
            {
                result.Add((unit, depth));
                Add(unit.Id, depth + 1);
            }
        }

        Add("", 0);
        return result;
    }
}
