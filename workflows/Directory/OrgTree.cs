namespace Behorighetsportal.Directory;

/// <summary>The org unit tree, for "is this unit at or below that one" questions.</summary>
public sealed class OrgTree(IEnumerable<OrgUnit> units)
{
    // A unit KiV moved between administrations can briefly exist under both; the first one read is used
    // rather than failing every request that needs the tree.
    private readonly Dictionary<string, OrgUnit> _units = units
        .GroupBy(u => u.Id, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public OrgUnit? Find(string id) => _units.GetValueOrDefault(id);

    public IEnumerable<OrgUnit> Units => _units.Values;

    public string? AdministrationOf(string orgUnitId) => Find(orgUnitId)?.Administration;

    public bool HasAdministration(string administration) => _units.Values.Any(u => u.Administration == administration);

    public bool IsAtOrBelow(string orgUnitId, string ancestorId)
    {
        // Bounded walk: a corrupt KiV batch with a cycle must not hang a request.
        var current = Find(orgUnitId);
        for (var depth = 0; current is not null && depth < 64; depth++)
        {
            if (current.Id == ancestorId)
            {
                return true;
            }

            current = current.ParentId is null ? null : Find(current.ParentId);
        }

        return false;
    }

    /// <summary>The unit and every unit below it (bounded, like <see cref="IsAtOrBelow"/>).</summary>
    public IReadOnlyList<OrgUnit> Subtree(string rootId) =>
        _units.Values.Where(unit => IsAtOrBelow(unit.Id, rootId)).ToList();
}
