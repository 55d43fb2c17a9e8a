using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Kiv;

public enum KivImportStatus
{
    Accepted,
    Running,
    Completed,
    Failed,
}

/// <summary>Where an import stands, for GET /api/kiv/imports/{id}.</summary>
public sealed record KivImportProgress(
    string ImportId, KivImportStatus Status, int OrgUnits, int Identities, int Engagements, int ChunksTotal, int ChunksDone,
    int Changed, int PolicyChanges, DateTimeOffset AcceptedAt, DateTimeOffset? CompletedAt, string? Error);

/// <summary>
/// A validated batch is stored in chunks (a chunk per table row, well under the 64 KiB a property may hold) before
/// the import's orchestration starts, so the HTTP request ends quickly and the work survives restarts.
/// PK = import id; RK = <c>status</c> or <c>chunk|{section}|{n}</c>.
/// </summary>
public sealed class KivImportRepository(StorageAccount storage)
{
    public const int ChunkSize = 100;
    private const string StatusRow = "status";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TableClient Table => storage.Table(TableNames.KivImports);

    public async Task<IReadOnlyDictionary<string, int>> StoreAsync(string importId, ValidKivBatch batch, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var chunks = new Dictionary<string, int>
        {
            [KivSections.OrgUnits] = await StoreSectionAsync(importId, KivSections.OrgUnits, batch.OrgUnits, cancellationToken),
            [KivSections.Identities] = await StoreSectionAsync(importId, KivSections.Identities, batch.Identities, cancellationToken),
            [KivSections.Engagements] = await StoreSectionAsync(importId, KivSections.Engagements, batch.Engagements, cancellationToken),
        };
        await Table.UpsertEntityAsync(new TableEntity(importId, StatusRow)
        {
            ["Status"] = KivImportStatus.Accepted.ToString(),
            ["OrgUnits"] = batch.OrgUnits.Count,
            ["Identities"] = batch.Identities.Count,
            ["Engagements"] = batch.Engagements.Count,
            ["ChunksTotal"] = chunks.Values.Sum(),
            ["ChunksDone"] = 0,
            ["Changed"] = 0,
            ["PolicyChanges"] = 0,
            ["AcceptedAt"] = at,
        }, TableUpdateMode.Replace, cancellationToken);
        return chunks;
    }

    public async Task<IReadOnlyList<T>> ReadChunkAsync<T>(string importId, string section, int chunk, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityAsync<TableEntity>(importId, ChunkKey(section, chunk), cancellationToken: cancellationToken);
        return JsonSerializer.Deserialize<List<T>>(row.Value.GetString("Data"), Json) ?? [];
    }

    /// <summary>Counts a finished chunk once (its mark makes a retried activity count nothing).</summary>
    public async Task RecordChunkAsync(string importId, string section, int chunk, int changed, int policyChanges, CancellationToken cancellationToken)
    {
        var mark = new TableEntity(importId, "done|" + ChunkKey(section, chunk));
        try
        {
            await Table.AddEntityAsync(mark, cancellationToken);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 409)
        {
            return;
        }

        await ConditionalUpdate.ApplyAsync(Table, importId, StatusRow, row => row, row => row, row =>
        {
            row["Status"] = KivImportStatus.Running.ToString();
            row["ChunksDone"] = (row.GetInt32("ChunksDone") ?? 0) + 1;
            row["Changed"] = (row.GetInt32("Changed") ?? 0) + changed;
            row["PolicyChanges"] = (row.GetInt32("PolicyChanges") ?? 0) + policyChanges;
            return row;
        }, cancellationToken);
    }

    public async Task CompleteAsync(string importId, KivImportStatus status, string? error, DateTimeOffset at, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(importId, StatusRow)
        {
            ["Status"] = status.ToString(),
            ["CompletedAt"] = at,
            ["Error"] = error,
        }, TableUpdateMode.Merge, cancellationToken);

    public async Task<KivImportProgress?> GetAsync(string importId, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(importId, StatusRow, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var r = row.Value!;
        return new KivImportProgress(importId, Enum.Parse<KivImportStatus>(r.GetString("Status")), r.GetInt32("OrgUnits") ?? 0, r.GetInt32("Identities") ?? 0,
            r.GetInt32("Engagements") ?? 0, r.GetInt32("ChunksTotal") ?? 0, r.GetInt32("ChunksDone") ?? 0, r.GetInt32("Changed") ?? 0,
            r.GetInt32("PolicyChanges") ?? 0, r.GetDateTimeOffset("AcceptedAt") ?? default, r.GetDateTimeOffset("CompletedAt"), r.GetString("Error"));
    }

    private async Task<int> StoreSectionAsync<T>(string importId, string section, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var chunks = rows.Chunk(ChunkSize).ToList();
        foreach (var batch in chunks.Select((chunk, n) => new TableEntity(importId, ChunkKey(section, n)) { ["Data"] = JsonSerializer.Serialize(chunk, Json) })
                     .Chunk(100))
        {
            // One partition: up to 100 chunk rows go in one transaction.
            await Table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }

        return chunks.Count;
    }

    private static string ChunkKey(string section, int chunk) => $"chunk|{section}|{chunk:D6}";
}

public static class KivSections
{
    public const string OrgUnits = "orgUnits";
    public const string Identities = "identities";
    public const string Engagements = "engagements";

    public static readonly IReadOnlyList<string> InOrder = [OrgUnits, Identities, Engagements];
}
