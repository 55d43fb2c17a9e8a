using System.Text.Json;
using System.Text.Json.Serialization;
using Behorighetsportal.OrdererRoles;

namespace Behorighetsportal.Directory;

/// <summary>
/// The demo organisation (a copy of shared/demo/organization.json, embedded in this assembly). Its dates
/// are offsets in days from "today", so the story (Cecilia starts in 14 days, Johan returns today) holds
/// whenever it is loaded.
/// </summary>
public sealed record DemoOrganization(
    IReadOnlyList<ServiceLevel> ServiceLevels,
    IReadOnlyList<OrgUnit> OrgUnits,
    IReadOnlyList<Identity> Identities,
    IReadOnlyList<Engagement> Engagements,
    IReadOnlyList<UserService> UserServices,
    IReadOnlyList<OrdererRole> OrdererRoles,
    IReadOnlyList<Policies.AssignmentPolicy> AssignmentPolicies)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static DemoOrganization Load(DateOnly today)
    {
        var file = ReadFile();
        DateOnly? Offset(int? days) => days is { } d ? today.AddDays(d) : null;
        var units = file.OrgUnits.Select(u => new OrgUnit(u.Id, u.Name, u.Administration, u.ParentId)).ToList();
        return new DemoOrganization(
            file.ServiceLevels,
            units,
            file.Identities.Select(i => new Identity(i.HsaId, i.GivenName, i.FamilyName, i.Email, i.Protected)).ToList(),
            file.Engagements.Select(e => new Engagement(
                e.EngagementId, e.HsaId, e.OrgUnitId, e.Title, today.AddDays(e.StartOffsetDays), Offset(e.EndOffsetDays), e.ManagerHsaId)).ToList(),
            file.UserServices.Select(s => new UserService(
                s.HsaId, s.EngagementId, s.Level, Enum.Parse<UserServiceStatus>(s.Status),
                Offset(s.ActivatedOffsetDays), Offset(s.EndedOffsetDays), null)).ToList(),
            file.OrdererRoles.Select((r, index) => new OrdererRole(
                $"DEMO-SDA-{index + 1}", r.HsaId, units.First(u => u.Id == r.OrgUnitIds[0]).Administration, r.OrgUnitIds,
                Offset(r.ValidFromOffsetDays), Offset(r.ValidToOffsetDays))).ToList(),
            file.AssignmentPolicies.Select(p => new Policies.AssignmentPolicy(p.PolicyId, p.Administration, p.UnderOrgUnitId, p.Titles, p.Level)).ToList());
    }

    /// <summary>The service levels ordered by the portal; product configuration, not KiV data.</summary>
    public static IReadOnlyList<ServiceLevel> LoadServiceLevels() => ReadFile().ServiceLevels;

    public async Task SeedAsync(DirectoryRepository directory, CancellationToken cancellationToken = default)
    {
        foreach (var unit in OrgUnits) await directory.UpsertOrgUnitAsync(unit, cancellationToken);
        foreach (var identity in Identities) await directory.UpsertIdentityAsync(identity, cancellationToken);
        foreach (var engagement in Engagements) await directory.UpsertEngagementAsync(engagement, cancellationToken);
        foreach (var service in UserServices) await directory.UpsertUserServiceAsync(service, cancellationToken);
        foreach (var role in OrdererRoles) await directory.UpsertOrdererRoleAsync(role, cancellationToken);

        // Everything written above is indexed as it was written; anything stored before the index is indexed now.
        await directory.BackfillPersonIndexAsync(cancellationToken);
    }

    private static DemoFile ReadFile()
    {
        using var stream = typeof(DemoOrganization).Assembly.GetManifestResourceStream("organization.json")
            ?? throw new InvalidOperationException("organization.json is not embedded in the workflows assembly.");
        return JsonSerializer.Deserialize<DemoFile>(stream, Json)
            ?? throw new InvalidOperationException("organization.json is empty.");
    }

    private sealed record DemoFile(
        List<ServiceLevel> ServiceLevels,
        List<DemoUnit> OrgUnits,
        List<DemoIdentity> Identities,
        List<DemoEngagement> Engagements,
        List<DemoUserService> UserServices,
        List<DemoOrdererRole> OrdererRoles,
        List<DemoPolicy> AssignmentPolicies);

    private sealed record DemoPolicy(string PolicyId, string Administration, string UnderOrgUnitId, List<string> Titles, string Level);

    private sealed record DemoUnit(string Id, string Name, string Administration, string? ParentId);

    private sealed record DemoIdentity(string HsaId, string GivenName, string FamilyName, string Email, bool Protected);

    private sealed record DemoEngagement(
        string EngagementId, string HsaId, string OrgUnitId, string Title, int StartOffsetDays, int? EndOffsetDays, string? ManagerHsaId);

    private sealed record DemoUserService(
        string HsaId, string EngagementId, string Level, string Status, int? ActivatedOffsetDays, int? EndedOffsetDays);

    private sealed record DemoOrdererRole(
        string HsaId,
        [property: JsonPropertyName("orgUnitIds")] List<string> OrgUnitIds,
        int? ValidFromOffsetDays,
        int? ValidToOffsetDays);
}

/// <summary>The service levels an order may name, with their monthly cost.</summary>
public sealed class ServiceLevelCatalog(IReadOnlyList<ServiceLevel> levels)
{
    public IReadOnlyList<ServiceLevel> Levels => levels;

    public ServiceLevel? Find(string? level) =>
        levels.FirstOrDefault(l => string.Equals(l.Level, level, StringComparison.OrdinalIgnoreCase));
}
