namespace Behorighetsportal.Policies;

public sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>Policy administrators per administration: <c>Policies:Administrators:SU</c> = comma-separated HSA-ids.</summary>
    public Dictionary<string, string> Administrators { get; set; } = [];

    public bool Administers(string hsaId, string administration) =>
        AdministratorsOf(administration).Contains(hsaId, StringComparer.Ordinal);

    /// <summary>The HSA-ids that administer the administration's policies, as configured; none when nobody is named.</summary>
    public IReadOnlyList<string> AdministratorsOf(string administration) =>
        Administrators.TryGetValue(administration, out var list)
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];
}
