using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Policies;

/// <summary>Assignment policies (PK = administration, RK = policy id); few, so read whole.</summary>
public sealed class PolicyRepository(StorageAccount storage)
{
    private TableClient Table => storage.Table(TableNames.Policies);

    public async Task<IReadOnlyList<AssignmentPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<AssignmentPolicy> result = [];
        await foreach (var row in Table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            result.Add(new AssignmentPolicy(row.RowKey, row.PartitionKey, row.GetString("UnderOrgUnitId"),
                row.GetString("Titles").Split('|', StringSplitOptions.RemoveEmptyEntries), row.GetString("Level"), row.GetInt32("Priority") ?? 0,
                (row.GetString("Kinds") ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<EngagementKind>).ToList()));
        }

        return result;
    }

    public async Task UpsertAsync(AssignmentPolicy policy, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Table.UpsertEntityAsync(new TableEntity(policy.Administration, policy.PolicyId)
        {
            ["UnderOrgUnitId"] = policy.UnderOrgUnitId,
            ["Titles"] = string.Join('|', policy.Titles),
            ["Level"] = policy.Level,
            ["Priority"] = policy.Priority,
            ["Kinds"] = string.Join('|', policy.Kinds ?? []),
        }, TableUpdateMode.Replace, cancellationToken);
    }
}
