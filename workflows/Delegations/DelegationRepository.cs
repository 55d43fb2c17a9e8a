using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Delegations;

/// <summary>
/// Delegations in the Delegations table, written twice: under the manager (<c>given|{id}</c>) and under the
/// delegate (<c>received|{id}</c>). The delegate's row is what rights are checked against, so it is written
/// last when a delegation is made and first when one is revoked or ended: a failure in between can only
/// leave fewer rights, never more.
/// </summary>
public sealed class DelegationRepository(StorageAccount storage)
{
    private const string Given = "given|";
    private const string Received = "received|";

    private TableClient Table => storage.Table(TableNames.Delegations);

    public async Task CreateAsync(Delegation delegation, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Table.UpsertEntityAsync(ToEntity(delegation, delegation.ManagerId, Given), TableUpdateMode.Replace, cancellationToken);
        await Table.UpsertEntityAsync(ToEntity(delegation, delegation.DelegateId, Received), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>A delegation the manager gave, or null (also when it is someone else's).</summary>
    public async Task<Delegation?> GetGivenAsync(string managerId, string delegationId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(managerId, Given + delegationId, cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    public Task<IReadOnlyList<Delegation>> ListGivenAsync(string managerId, CancellationToken cancellationToken = default) =>
        ListAsync(managerId, Given, cancellationToken);

    public Task<IReadOnlyList<Delegation>> ListReceivedAsync(string delegateId, CancellationToken cancellationToken = default) =>
        ListAsync(delegateId, Received, cancellationToken);

    /// <summary>The managers whose role the person holds as delegate on the given day.</summary>
    public async Task<IReadOnlyList<Delegation>> ActiveReceivedAsync(string delegateId, DateOnly day, CancellationToken cancellationToken = default) =>
        (await ListReceivedAsync(delegateId, cancellationToken)).Where(d => d.IsActiveOn(day)).ToList();

    /// <summary>
    /// Moves a delegation to a status unless it has already ended or been revoked. Returns the delegation as it
    /// now stands and whether this call changed it.
    /// </summary>
    public async Task<(Delegation Delegation, bool Changed)> MoveToAsync(
        string managerId, string delegationId, DelegationStatus status, string? by, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);

        // The manager's row decides (conditionally: a revocation and the end timer can meet); the delegate's row
        // follows. Rights shrink first and grow last, so a delegation being revoked or ended loses its rights
        // before the manager's row says so, and one being started gains them only after.
        if (status != DelegationStatus.Active && await GetReceivedAsync(managerId, delegationId, cancellationToken) is { } received
            && received.Status is DelegationStatus.Scheduled or DelegationStatus.Active)
        {
            await Table.UpsertEntityAsync(ToEntity(received with { Status = status, RevokedBy = by, RevokedAt = status == DelegationStatus.Revoked ? at : null },
                received.DelegateId, Received), TableUpdateMode.Replace, cancellationToken);
        }

        var (delegation, changed) = await ConditionalUpdate.ApplyAsync(Table, managerId, Given + delegationId, Read,
            d => ToEntity(d, d.ManagerId, Given),
            current => current.Status is DelegationStatus.Ended or DelegationStatus.Revoked || current.Status == status
                ? null
                : status == DelegationStatus.Revoked ? current with { Status = status, RevokedBy = by, RevokedAt = at } : current with { Status = status },
            cancellationToken);

        // The delegate's row always ends up as the manager's row says (also after a lost race above).
        await Table.UpsertEntityAsync(ToEntity(delegation, delegation.DelegateId, Received), TableUpdateMode.Replace, cancellationToken);
        return (delegation, changed);
    }

    private async Task<Delegation?> GetReceivedAsync(string managerId, string delegationId, CancellationToken cancellationToken) =>
        await GetGivenAsync(managerId, delegationId, cancellationToken) is { } given
            && (await Table.GetEntityIfExistsAsync<TableEntity>(given.DelegateId, Received + delegationId, cancellationToken: cancellationToken)) is { HasValue: true } row
            ? Read(row.Value!)
            : null;

    private async Task<IReadOnlyList<Delegation>> ListAsync(string hsaId, string prefix, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<Delegation> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {hsaId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add(Read(row));
        }

        return result;
    }

    private static TableEntity ToEntity(Delegation d, string partition, string prefix) => new(partition, prefix + d.DelegationId)
    {
        ["ManagerId"] = d.ManagerId,
        ["DelegateId"] = d.DelegateId,
        ["ValidFrom"] = DirectoryRepository.Format(d.ValidFrom),
        ["ValidTo"] = DirectoryRepository.Format(d.ValidTo),
        ["Status"] = d.Status.ToString(),
        ["CreatedAt"] = d.CreatedAt,
        ["RevokedBy"] = d.RevokedBy,
        ["RevokedAt"] = d.RevokedAt,
    };

    private static Delegation Read(TableEntity row) => new(
        row.RowKey[(row.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..],
        row.GetString("ManagerId"),
        row.GetString("DelegateId"),
        DirectoryRepository.ParseDate(row.GetString("ValidFrom"))!.Value,
        DirectoryRepository.ParseDate(row.GetString("ValidTo"))!.Value,
        Enum.Parse<DelegationStatus>(row.GetString("Status")),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetString("RevokedBy"),
        row.GetDateTimeOffset("RevokedAt"));
}
