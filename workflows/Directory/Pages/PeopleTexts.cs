namespace Behorighetsportal.Directory.Pages;

/// <summary>What the people pages say about directory data, in Swedish (R13).</summary>
public static class PeopleTexts
{
    public static string InSwedish(this UserServiceStatus status) => status switch
    {
        UserServiceStatus.Active => "Aktiv",
        UserServiceStatus.Inactivated => "Inaktiverad",
        _ => "Avslutad",
    };

    /// <summary>"Akutmottagningen (SU-AKUT)", or the id alone for a unit the tree does not know.</summary>
    public static string UnitName(OrgTree tree, string orgUnitId) =>
        tree.Find(orgUnitId) is { } unit ? $"{unit.Name} ({unit.Id})" : orgUnitId;
}
