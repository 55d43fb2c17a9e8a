using System.Text.Json;
using Behorighetsportal.Directory;

namespace Behorighetsportal.Amu;

/// <summary>An AD group employees may apply to join themselves (R11); its owner approves. The description says what membership gives.</summary>
public sealed record AmuGroup(string GroupId, string Name, string OwnerHsaId, string? Description = null)
{
    /// <summary>
    /// Who approves <paramref name="applicant"/>'s application: the group's owner (R11) — unless the owner applies, who may
    /// not approve their own (R14); then their nearest line manager, of an engagement that has not ended. Null when
    /// there is nobody to ask.
    /// </summary>
    public string? ApproverFor(Person applicant, DateOnly today) =>
        SeparationOfDuties.MayDecide(OwnerHsaId, applicant.Identity.HsaId)
            ? OwnerHsaId
            : applicant.Engagements.Where(e => !e.HasEndedBy(today)).Select(e => e.ManagerHsaId)
                .FirstOrDefault(manager => manager is not null && SeparationOfDuties.MayDecide(manager, applicant.Identity.HsaId));
}

/// <summary>A person's membership of an AMU group, with who approved it.</summary>
public sealed record AmuMembership(string HsaId, string GroupId, string? RequestId, string? ApprovedBy, DateOnly? GrantedOn);

/// <summary>The AMU groups open for applications: product configuration (onboarded AD groups), not KiV data.</summary>
public sealed class AmuCatalog(IReadOnlyList<AmuGroup> groups)
{
    public IReadOnlyList<AmuGroup> Groups => groups;

    public AmuGroup? Find(string? groupId) => groups.FirstOrDefault(g => g.GroupId == groupId);

    public static AmuCatalog FromEmbeddedDemo()
    {
        using var stream = typeof(AmuCatalog).Assembly.GetManifestResourceStream("organization.json")!;
        using var document = JsonDocument.Parse(stream);
        var groups = document.RootElement.GetProperty("amuGroups").EnumerateArray()
            .Select(g => new AmuGroup(g.GetProperty("groupId").GetString()!, g.GetProperty("name").GetString()!, g.GetProperty("ownerHsaId").GetString()!,
                g.TryGetProperty("description", out var description) ? description.GetString() : null))
            .ToList();
        return new AmuCatalog(groups);
    }
}
