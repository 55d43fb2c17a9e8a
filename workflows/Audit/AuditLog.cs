using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Audit;

/// <summary>One decision or step: who did what to which subject, when, and why (R12).</summary>
public sealed record AuditEntry(string Subject, DateTimeOffset At, string Step, string Actor, string? Detail = null);

/// <summary>
/// The append-only audit log. Entries are never updated or deleted. The row key is derived from the time and
/// the step, so an activity that runs twice writes the same entry once.
/// </summary>
public sealed class AuditLog(StorageAccount storage)
{
    private TableClient Table => storage.Table(TableNames.AuditLog);

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        try
        {
            await Table.AddEntityAsync(ToEntity(entry), cancellationToken);
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
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subject}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new AuditEntry(
                row.PartitionKey, row.GetDateTimeOffset("At") ?? default, row.GetString("Step"), row.GetString("Actor"), row.GetString("Detail")));
        }

        return entries;
    }

    /// <summary>Whether a step was ever recorded for the subject (used to make a one-time email idempotent).</summary>
    public async Task<bool> ContainsAsync(string subject, string step, CancellationToken cancellationToken = default) =>
        (await ReadAsync(subject, cancellationToken)).Any(entry => entry.Step == step);

    internal static TableEntity ToEntity(AuditEntry entry) =>
        new(entry.Subject, entry.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + entry.Step)
        {
            ["At"] = entry.At,
            ["Step"] = entry.Step,
            ["Actor"] = entry.Actor,
            ["Detail"] = entry.Detail,
        };
}
