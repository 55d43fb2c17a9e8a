using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Amu;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Directory;

/// <summary>Identities, engagements, user services, orderer roles and org units in Azure Tables.</summary>
public sealed class DirectoryRepository(StorageAccount storage)
{
    private const string IdentityRow = "identity";
    private const string EngagementPrefix = "engagement|";
    private const string UserServicePrefix = "userservice|";
    private const string OrdererRolePrefix = "ordererrole|";
    private const string AmuPrefix = "amu|";

    private TableClient Identities => storage.Table(TableNames.Identities);

    public async Task<Person?> GetPersonAsync(string hsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        Identity? identity = null;
        List<Engagement> engagements = [];
        List<UserService> services = [];
        List<OrdererRole> roles = [];
        List<AmuMembership> memberships = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {hsaId}");
        await foreach (var row in Identities.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            switch (row.RowKey)
            {
                case IdentityRow: identity = ReadIdentity(row); break;
                case var key when key.StartsWith(EngagementPrefix, StringComparison.Ordinal): engagements.Add(ReadEngagement(row)); break;
                case var key when key.StartsWith(UserServicePrefix, StringComparison.Ordinal): services.Add(ReadUserService(row)); break;
                case var key when key.StartsWith(OrdererRolePrefix, StringComparison.Ordinal): roles.Add(ReadOrdererRole(row)); break;
                case var key when key.StartsWith(AmuPrefix, StringComparison.Ordinal): memberships.Add(ReadMembership(row)); break;
            }
        }

        return identity is null ? null : new Person(identity, engagements, services, roles, memberships);
    }

    public async Task<Identity?> GetIdentityAsync(string hsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var response = await Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, IdentityRow, cancellationToken: cancellationToken);
        return response.HasValue ? ReadIdentity(response.Value!) : null;
    }

    public async Task<OrgTree> GetOrgTreeAsync(CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<OrgUnit> units = [];
        await foreach (var row in storage.Table(TableNames.OrgUnits).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            units.Add(new OrgUnit(row.RowKey, row.GetString("Name"), row.PartitionKey, row.GetString("ParentId")));
        }

        return new OrgTree(units);
    }

    /// <summary>The engagements the manager is nearest manager for, as (HSA-id, engagement id) pairs.</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId)>> GetManagedEngagementsAsync(
        string managerHsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<(string, string)> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {managerHsaId}");
        await foreach (var row in storage.Table(TableNames.ManagerIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add((row.GetString("HsaId"), row.RowKey));
        }

        return result;
    }

    /// <summary>The engagements at one org unit, as (HSA-id, engagement id) pairs.</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId)>> GetEngagementsInUnitAsync(
        string orgUnitId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<(string, string)> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgUnitId}");
        await foreach (var row in storage.Table(TableNames.UnitIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add((row.GetString("HsaId"), row.RowKey));
        }

        return result;
    }

    public async Task UpsertMembershipAsync(AmuMembership membership, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(
            new TableEntity(membership.HsaId, AmuPrefix + membership.GroupId)
            {
                ["RequestId"] = membership.RequestId,
                ["ApprovedBy"] = membership.ApprovedBy,
                ["GrantedOn"] = Format(membership.GrantedOn),
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    public async Task UpsertOrgUnitAsync(OrgUnit unit, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.Table(TableNames.OrgUnits).UpsertEntityAsync(
            new TableEntity(unit.Administration, unit.Id) { ["Name"] = unit.Name, ["ParentId"] = unit.ParentId },
            TableUpdateMode.Replace, cancellationToken);
    }

    public async Task UpsertIdentityAsync(Identity identity, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(
            new TableEntity(identity.HsaId, IdentityRow)
            {
                ["GivenName"] = identity.GivenName,
                ["FamilyName"] = identity.FamilyName,
                ["Email"] = identity.Email,
                ["Protected"] = identity.Protected,
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    public async Task UpsertEngagementAsync(Engagement engagement, CancellationToken cancellationToken = default) =>
        await ApplyEngagementAsync(engagement, cancellationToken);

    /// <summary>
    /// Writes an engagement unless it is stored exactly so already (so a repeated KiV batch writes nothing), with
    /// its manager and unit indexes. Returns what it was before (null when new) and whether anything changed.
    /// </summary>
    public async Task<(Engagement? Previous, bool Changed)> ApplyEngagementAsync(Engagement engagement, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var existing = await Identities.GetEntityIfExistsAsync<TableEntity>(
            engagement.HsaId, EngagementPrefix + engagement.EngagementId, cancellationToken: cancellationToken);
        var previous = existing.HasValue ? ReadEngagement(existing.Value!) : null;
        if (previous == engagement)
        {
            return (previous, false);
        }

        // The indexes first: a reader may briefly see a manager or unit without the engagement, never an
        // engagement that its manager or unit cannot find.
        if (engagement.ManagerHsaId is { } manager && manager != previous?.ManagerHsaId)
        {
            await storage.Table(TableNames.ManagerIndex).UpsertEntityAsync(
                new TableEntity(manager, engagement.EngagementId) { ["HsaId"] = engagement.HsaId }, TableUpdateMode.Replace, cancellationToken);
        }

        if (engagement.OrgUnitId != previous?.OrgUnitId)
        {
            await storage.Table(TableNames.UnitIndex).UpsertEntityAsync(
                new TableEntity(engagement.OrgUnitId, engagement.EngagementId) { ["HsaId"] = engagement.HsaId }, TableUpdateMode.Replace, cancellationToken);
        }

        await Identities.UpsertEntityAsync(
            new TableEntity(engagement.HsaId, EngagementPrefix + engagement.EngagementId)
            {
                ["OrgUnitId"] = engagement.OrgUnitId,
                ["Title"] = engagement.Title,
                ["StartDate"] = Format(engagement.StartDate),
                ["EndDate"] = Format(engagement.EndDate),
                ["ManagerHsaId"] = engagement.ManagerHsaId,
            },
            TableUpdateMode.Replace, cancellationToken);

        if (previous?.ManagerHsaId is { } previousManager && previousManager != engagement.ManagerHsaId)
        {
            await DeleteIfExistsAsync(TableNames.ManagerIndex, previousManager, engagement.EngagementId, cancellationToken);
        }

        if (previous is not null && previous.OrgUnitId != engagement.OrgUnitId)
        {
            await DeleteIfExistsAsync(TableNames.UnitIndex, previous.OrgUnitId, engagement.EngagementId, cancellationToken);
        }

        return (previous, true);
    }

    /// <summary>Writes an identity unless it is stored exactly so already; true when it changed.</summary>
    public async Task<bool> ApplyIdentityAsync(Identity identity, CancellationToken cancellationToken = default)
    {
        if (await GetIdentityAsync(identity.HsaId, cancellationToken) == identity)
        {
            return false;
        }

        await UpsertIdentityAsync(identity, cancellationToken);
        return true;
    }

    /// <summary>Writes an org unit unless it is stored exactly so already; true when it changed.</summary>
    public async Task<bool> ApplyOrgUnitAsync(OrgUnit unit, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var existing = await storage.Table(TableNames.OrgUnits).GetEntityIfExistsAsync<TableEntity>(unit.Administration, unit.Id, cancellationToken: cancellationToken);
        if (existing.HasValue && existing.Value!.GetString("Name") == unit.Name && existing.Value.GetString("ParentId") == unit.ParentId)
        {
            return false;
        }

        await UpsertOrgUnitAsync(unit, cancellationToken);
        return true;
    }

    private async Task DeleteIfExistsAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Table(table).DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task UpsertUserServiceAsync(UserService service, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(ToEntity(service), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task UpsertOrdererRoleAsync(OrdererRole role, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(
            new TableEntity(role.HsaId, OrdererRolePrefix + role.RoleId)
            {
                ["Administration"] = role.Administration,
                ["OrgUnitIds"] = string.Join(',', role.OrgUnitIds),
                ["ValidFrom"] = Format(role.ValidFrom),
                ["ValidTo"] = Format(role.ValidTo),
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    internal static TableEntity ToEntity(UserService service) =>
        new(service.HsaId, UserServicePrefix + service.EngagementId)
        {
            ["Level"] = service.Level,
            ["Status"] = service.Status.ToString(),
            ["ActivatedOn"] = Format(service.ActivatedOn),
            ["EndedOn"] = Format(service.EndedOn),
            ["OrderId"] = service.OrderId,
        };

    internal static string UserServiceRowKey(string engagementId) => UserServicePrefix + engagementId;

    internal static UserService ReadUserService(TableEntity row) => new(
        row.PartitionKey,
        row.RowKey[UserServicePrefix.Length..],
        row.GetString("Level"),
        Enum.Parse<UserServiceStatus>(row.GetString("Status")),
        ParseDate(row.GetString("ActivatedOn")),
        ParseDate(row.GetString("EndedOn")),
        row.GetString("OrderId"));

    private static Identity ReadIdentity(TableEntity row) => new(
        row.PartitionKey, row.GetString("GivenName"), row.GetString("FamilyName"), row.GetString("Email"), row.GetBoolean("Protected") ?? false);

    private static Engagement ReadEngagement(TableEntity row) => new(
        row.RowKey[EngagementPrefix.Length..],
        row.PartitionKey,
        row.GetString("OrgUnitId"),
        row.GetString("Title"),
        ParseDate(row.GetString("StartDate")) ?? DateOnly.MinValue,
        ParseDate(row.GetString("EndDate")),
        row.GetString("ManagerHsaId"));

    private static OrdererRole ReadOrdererRole(TableEntity row) => new(
        row.RowKey[OrdererRolePrefix.Length..],
        row.PartitionKey,
        row.GetString("Administration"),
        row.GetString("OrgUnitIds").Split(',', StringSplitOptions.RemoveEmptyEntries),
        ParseDate(row.GetString("ValidFrom")),
        ParseDate(row.GetString("ValidTo")));

    private static AmuMembership ReadMembership(TableEntity row) => new(
        row.PartitionKey, row.RowKey[AmuPrefix.Length..], row.GetString("RequestId"), row.GetString("ApprovedBy"), ParseDate(row.GetString("GrantedOn")));

    internal static string? Format(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateOnly? ParseDate(string? text) =>
        string.IsNullOrEmpty(text) ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
