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

/// <summary>
/// How an engagement of a chunk differs from what was stored before the import wrote it: new or not, moved (another
/// manager or unit) and given a new last day. What the import does besides writing — end timers, movers'
/// reconciliation, policies — follows from these.
/// </summary>
public sealed record KivEngagementChange(string EngagementId, bool Existed, bool Moved, bool EndChanged)
{
    public static KivEngagementChange Of(Engagement engagement, Engagement? previous) => new(
        engagement.EngagementId,
        previous is not null,
        previous is not null && (previous.ManagerHsaId != engagement.ManagerHsaId || previous.OrgUnitId != engagement.OrgUnitId),
        engagement.EndDate is { } end && end != previous?.EndDate);

    /// <summary>The same engagement seen by two attempts: the first saw what was stored before the import.</summary>
    public KivEngagementChange Or(KivEngagementChange later) =>
        this with { Moved = Moved || later.Moved, EndChanged = EndChanged || later.EndChanged };
}

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
/// A validated batch is stored in chunks (a chunk per table row, under the 64 KiB a property may hold) before
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

    /// <summary>
    /// Keeps what a chunk's rows change before they are written, merged with what an earlier attempt of the chunk kept,
    /// and answers the whole: a retried attempt finds its rows written already (no change any more), yet must still do
    /// what the first attempt had to.
    /// </summary>
    public async Task<IReadOnlyList<KivEngagementChange>> RecordChangesAsync(
        string importId, string section, int chunk, IReadOnlyList<KivEngagementChange> changes, CancellationToken cancellationToken)
    {
        var key = "changes|" + ChunkKey(section, chunk);
        var stored = await Table.GetEntityIfExistsAsync<TableEntity>(importId, key, cancellationToken: cancellationToken);
        var earlier = stored.HasValue ? JsonSerializer.Deserialize<List<KivEngagementChange>>(stored.Value!.GetString("Data"), Json) ?? [] : [];
        var merged = earlier.ToDictionary(c => c.EngagementId, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            merged[change.EngagementId] = merged.TryGetValue(change.EngagementId, out var first) ? first.Or(change) : change;
        }

        var all = merged.Values.ToList();
        if (all.Count > 0 && (!stored.HasValue || !all.SequenceEqual(earlier)))
        {
            // Ids of 64 characters at most: a hundred changes stay far below what a property holds.
            await Table.UpsertEntityAsync(new TableEntity(importId, key) { ["Data"] = JsonSerializer.Serialize(all, Json) }, TableUpdateMode.Replace, cancellationToken);
        }

        return all;
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

    /// <summary>Characters of JSON in one chunk row: a string property holds 32 767 UTF-16 characters.</summary>
    private const int ChunkChars = 30_000;

    /// <summary>Characters of chunk JSON in one transaction, well under the 4 MiB a transaction may carry.</summary>
    private const int TransactionChars = 1_500_000;

    private async Task<int> StoreSectionAsync<T>(string importId, string section, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var chunks = Pack(rows);
        List<TableEntity> transaction = [];
        var length = 0;
        foreach (var (data, n) in chunks.Select((data, n) => (data, n)))
        {
            // One partition: up to 100 chunk rows, of at most TransactionChars together, go in one transaction.
            if (transaction.Count == 100 || (transaction.Count > 0 && length + data.Length > TransactionChars))
            {
                await Table.SubmitTransactionAsync(transaction.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
                (transaction, length) = ([], 0);
            }

            transaction.Add(new TableEntity(importId, ChunkKey(section, n)) { ["Data"] = data });
            length += data.Length;
        }

        if (transaction.Count > 0)
        {
            await Table.SubmitTransactionAsync(transaction.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }

        return chunks.Count;
    }

    /// <summary>
    /// The rows as JSON arrays of up to <see cref="ChunkSize"/> rows and <see cref="ChunkChars"/> characters: validated
    /// rows are short, but a hundred of them with long names and titles (escaped, non-ASCII letters take six
    /// characters each) would not fit one property.
    /// </summary>
    private static List<string> Pack<T>(IReadOnlyList<T> rows)
    {
        List<string> chunks = [];
        List<string> current = [];
        var length = 2;
        foreach (var row in rows)
        {
            var json = JsonSerializer.Serialize(row, Json);
            if (current.Count == ChunkSize || (current.Count > 0 && length + json.Length + 1 > ChunkChars))
            {
                chunks.Add("[" + string.Join(',', current) + "]");
                (current, length) = ([], 2);
            }

            current.Add(json);
            length += json.Length + 1;
        }

        if (current.Count > 0)
        {
            chunks.Add("[" + string.Join(',', current) + "]");
        }

        return chunks;
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
