using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Kiv;

public enum KivImportStatus
{
    /// <summary>A paged import that waits for more pages (or for the last one); nothing of it is processed yet.</summary>
    Receiving,

    Accepted,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// Where an import stands, for GET /api/kiv/imports/{id}. A paged import also tells how many pages have come, which
/// is the last (once known) and, while it is receiving, which pages up to the last are still missing.
/// </summary>
public sealed record KivImportProgress(
    string ImportId, KivImportStatus Status, int OrgUnits, int Identities, int Engagements, int ChunksTotal, int ChunksDone,
    int Changed, int PolicyChanges, DateTimeOffset AcceptedAt, DateTimeOffset? CompletedAt, string? Error,
    int? PagesReceived = null, int? LastPage = null, IReadOnlyList<int>? MissingPages = null);

/// <summary>One stored page of a paged import: its number, a hash of its content, and how many parts its JSON is kept in.</summary>
public sealed record KivPage(int Page, string Hash, int Parts);

/// <summary>A paged import's own state, on its status row.</summary>
public sealed record KivSession(KivImportStatus Status, bool Paged, int? LastPage, DateTimeOffset? ClosingSince, string? Error, Azure.ETag ETag);

public enum KivPageStored
{
    Stored,

    /// <summary>The page came before with exactly this content.</summary>
    Repeated,

    /// <summary>The page came before with other content.</summary>
    Different,
}

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

    /// <summary>Stores a validated batch in chunks and marks the import accepted; a paged import names its last page.</summary>
    public async Task<IReadOnlyDictionary<string, int>> StoreAsync(
        string importId, ValidKivBatch batch, DateTimeOffset at, CancellationToken cancellationToken, int? lastPage = null)
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
            ["Paged"] = lastPage is null ? null : true,
            ["LastPage"] = lastPage,
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
        var progress = new KivImportProgress(importId, Enum.Parse<KivImportStatus>(r.GetString("Status")), r.GetInt32("OrgUnits") ?? 0, r.GetInt32("Identities") ?? 0,
            r.GetInt32("Engagements") ?? 0, r.GetInt32("ChunksTotal") ?? 0, r.GetInt32("ChunksDone") ?? 0, r.GetInt32("Changed") ?? 0,
            r.GetInt32("PolicyChanges") ?? 0, r.GetDateTimeOffset("AcceptedAt") ?? default, r.GetDateTimeOffset("CompletedAt"), r.GetString("Error"));
        if (r.GetBoolean("Paged") != true)
        {
            return progress;
        }

        var pages = await ListPagesAsync(importId, cancellationToken);
        var lastPage = r.GetInt32("LastPage") ?? (pages.Count > 0 && progress.Status != KivImportStatus.Receiving ? pages[^1].Page : null);
        var missing = progress.Status == KivImportStatus.Receiving && lastPage is { } last
            ? Enumerable.Range(1, last).Except(pages.Select(p => p.Page)).ToList()
            : null;
        return progress with { PagesReceived = pages.Count, LastPage = lastPage, MissingPages = missing };
    }

    // ---- Paged imports: PK = import id; RK = status, pagehead|{n}, pagedata|{n}|{hash}|{part}. ----

    /// <summary>Characters of page JSON per row: a string property holds 64 KiB, i.e. 32 767 UTF-16 characters.</summary>
    private const int PagePartChars = 30_000;

    public async Task<KivSession?> GetSessionAsync(string importId, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(importId, StatusRow, cancellationToken: cancellationToken);
        return row.HasValue ? ReadSession(row.Value!) : null;
    }

    /// <summary>Opens a paged import unless one (paged or not) has this id already; false then.</summary>
    public async Task<bool> OpenSessionAsync(string importId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        try
        {
            await Table.AddEntityAsync(new TableEntity(importId, StatusRow)
            {
                ["Status"] = KivImportStatus.Receiving.ToString(),
                ["Paged"] = true,
                ["AcceptedAt"] = at,
            }, cancellationToken);
            return true;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Stores a page once: its JSON in parts, then its head row, which is what makes it count. A page that came
    /// before is left as it is, and the answer says whether the content was the same.
    /// </summary>
    public async Task<KivPageStored> StorePageAsync(string importId, int page, string json, CancellationToken cancellationToken)
    {
        var hash = Hash(json);
        if (await GetPageAsync(importId, page, cancellationToken) is { } existing)
        {
            return existing.Hash == hash ? KivPageStored.Repeated : KivPageStored.Different;
        }

        var parts = Enumerable.Range(0, Math.Max(1, (json.Length + PagePartChars - 1) / PagePartChars))
            .Select(n => new TableEntity(importId, PartKey(page, hash, n)) { ["Data"] = json.Substring(n * PagePartChars, Math.Min(PagePartChars, json.Length - n * PagePartChars)) })
            .ToList();
        foreach (var batch in parts.Chunk(50))
        {
            // One partition; 50 parts of 30 000 characters stay well under a transaction's 4 MiB.
            await Table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }

        try
        {
            await Table.AddEntityAsync(new TableEntity(importId, HeadKey(page)) { ["Hash"] = hash, ["Parts"] = parts.Count }, cancellationToken);
            return KivPageStored.Stored;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 409)
        {
            // The same page at the same moment from another request: whichever head was added first holds.
            return (await GetPageAsync(importId, page, cancellationToken))?.Hash == hash ? KivPageStored.Repeated : KivPageStored.Different;
        }
    }

    /// <summary>Whether the page came with this content (Repeated), with other content (Different), or not at all (null).</summary>
    public async Task<KivPageStored?> ComparePageAsync(string importId, int page, string json, CancellationToken cancellationToken) =>
        await GetPageAsync(importId, page, cancellationToken) is { } existing
            ? existing.Hash == Hash(json) ? KivPageStored.Repeated : KivPageStored.Different
            : null;

    private static string Hash(string json) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..32];

    public async Task<IReadOnlyList<KivPage>> ListPagesAsync(string importId, CancellationToken cancellationToken)
    {
        List<KivPage> pages = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ge {"pagehead|"} and RowKey lt {"pagehead}"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            pages.Add(ReadPage(row));
        }

        return pages.OrderBy(p => p.Page).ToList();
    }

    public async Task<string> ReadPageAsync(string importId, KivPage page, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        for (var part = 0; part < page.Parts; part++)
        {
            var row = await Table.GetEntityAsync<TableEntity>(importId, PartKey(page.Page, page.Hash, part), cancellationToken: cancellationToken);
            text.Append(row.Value.GetString("Data"));
        }

        return text.ToString();
    }

    /// <summary>Records which page is the last; false when another page was named the last before.</summary>
    public async Task<bool> SetLastPageAsync(string importId, int page, CancellationToken cancellationToken)
    {
        var (session, _) = await ConditionalUpdate.ApplyAsync(Table, importId, StatusRow, row => row, row => row, row =>
        {
            if (row.GetInt32("LastPage") is not null)
            {
                return null;
            }

            row["LastPage"] = page;
            return row;
        }, cancellationToken);
        return session.GetInt32("LastPage") == page;
    }

    /// <summary>
    /// Claims the closing of a receiving import, so that one request validates and starts it; a claim older than
    /// <paramref name="staleAfter"/> (its request died) may be taken over.
    /// </summary>
    public async Task<bool> TryClaimCloseAsync(string importId, DateTimeOffset at, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var (_, claimed) = await ConditionalUpdate.ApplyAsync(Table, importId, StatusRow, row => row, row => row, row =>
        {
            if (row.GetString("Status") != nameof(KivImportStatus.Receiving) || row.GetDateTimeOffset("ClosingSince") is { } since && since > at - staleAfter)
            {
                return null;
            }

            row["ClosingSince"] = at;
            return row;
        }, cancellationToken);
        return claimed;
    }

    /// <summary>Gives the claim back (the closing request failed on its way), so that a repeated last page closes.</summary>
    public async Task ReleaseCloseAsync(string importId, CancellationToken cancellationToken) =>
        await ConditionalUpdate.ApplyAsync(Table, importId, StatusRow, row => row, row => row,
            row => row.Remove("ClosingSince") ? row : null, cancellationToken);

    /// <summary>Removes the pages' JSON once they have been processed or refused; the heads stay, for repeated pages.</summary>
    public async Task DeletePageDataAsync(string importId, CancellationToken cancellationToken)
    {
        List<TableEntity> parts = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ge {"pagedata|"} and RowKey lt {"pagedata}"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            parts.Add(row);
        }

        foreach (var batch in parts.Chunk(100))
        {
            await Table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, Azure.ETag.All)), cancellationToken);
        }
    }

    private async Task<KivPage?> GetPageAsync(string importId, int page, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(importId, HeadKey(page), cancellationToken: cancellationToken);
        return row.HasValue ? ReadPage(row.Value!) : null;
    }

    private static KivPage ReadPage(TableEntity row) =>
        new(int.Parse(row.RowKey["pagehead|".Length..], System.Globalization.CultureInfo.InvariantCulture), row.GetString("Hash"), row.GetInt32("Parts") ?? 0);

    private static KivSession ReadSession(TableEntity row) => new(
        Enum.Parse<KivImportStatus>(row.GetString("Status")), row.GetBoolean("Paged") ?? false, row.GetInt32("LastPage"),
        row.GetDateTimeOffset("ClosingSince"), row.GetString("Error"), row.ETag);

    private static string HeadKey(int page) => $"pagehead|{page:D5}";

    private static string PartKey(int page, string hash, int part) => $"pagedata|{page:D5}|{hash}|{part:D4}";

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
