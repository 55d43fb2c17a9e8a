namespace Behorighetsportal.OrdererRoles;

/// <summary>
/// The orderer (SDA) role: the right to order for identities with engagements in the given org units
/// (and the units below them), always inside the holder's own administration (R9).
/// </summary>
public sealed record OrdererRole(
    string RoleId,
    string HsaId,
    string Administration,
    IReadOnlyList<string> OrgUnitIds,
    DateOnly? ValidFrom,
    DateOnly? ValidTo)
{
    public bool IsValidOn(DateOnly day) =>
        (ValidFrom is null || ValidFrom <= day) && (ValidTo is null || day <= ValidTo);
}
