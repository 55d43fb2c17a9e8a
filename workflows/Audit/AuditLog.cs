using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Audit;

/// <summary>One decision or step: who did what to which subject, when, and why (R12).</summary>
public sealed record AuditEntry(string Subject, DateTimeOffset At, string Step, string Actor, string? Detail = null);

/// <summary>
/// The append-only audit log. Entries are never updated or deleted. The row key is derived from the time and
/// the step, so an activity that runs twice writes the same entry once.
/// </summary>
/// <remarks>
/// An order's entries — its history — live in the order's own partition of the Orders table, beside the order row:
/// a step and its history entry are then one table transaction (OrderRepository), so the history never lags the
/// status, and the status page reads both in one query. Every other subject's entries live in the AuditLog table.
/// </remarks>
public sealed class AuditLog(StorageAccount storage)
{
    /// <summary>Row-key prefix of history entries in an order's partition.</summary>
    internal const string HistoryPrefix = "history|";

    private TableClient TableFor(string subject) =>
        storage.Table(OrderIds.Is(subject) ? TableNames.Orders : TableNames.AuditLog);

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        try
        {
            await TableFor(entry.Subject).AddEntityAsync(ToEntity(entry), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already written by an earlier attempt of the same step.
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string subject, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<AuditEntry> entries = [];
        var filter = OrderIds.Is(subject)
            ? TableClient.CreateQueryFilter($"PartitionKey eq {subject} and RowKey ge {HistoryPrefix} and RowKey lt {HistoryEnd}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {subject}");
        await foreach (var row in TableFor(subject).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(FromEntity(row));
        }

        return entries;
    }

    /// <summary>Whether a row of an order's partition is a history entry.</summary>
    internal static bool IsHistory(TableEntity row) => row.RowKey.StartsWith(HistoryPrefix, StringComparison.Ordinal);

    internal static AuditEntry FromEntity(TableEntity row) => new(
        row.PartitionKey, row.GetDateTimeOffset("At") ?? default, row.GetString("Step"), row.GetString("Actor"), row.GetString("Detail"));

    /// <summary>The first row key after every history key ('|' + 1).</summary>
    private const string HistoryEnd = "history}";

    /// <summary>Whether a step was ever recorded for the subject (used to make a one-time email idempotent).</summary>
    public async Task<bool> ContainsAsync(string subject, string step, CancellationToken cancellationToken = default) =>
        (await ReadAsync(subject, cancellationToken)).Any(entry => entry.Step == step);

    internal static TableEntity ToEntity(AuditEntry entry) =>
        new(entry.Subject, (OrderIds.Is(entry.Subject) ? HistoryPrefix : "") + entry.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + entry.Step)
        {
            ["At"] = entry.At,
            ["Step"] = entry.Step,
            ["Actor"] = entry.Actor,
            ["Detail"] = entry.Detail,
        };
}
