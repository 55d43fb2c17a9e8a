using Azure;
using Azure.Data.Tables;

namespace Behorighetsportal.Storage;

/// <summary>
/// Side effects that must happen once although activities run at least once and, rarely, twice at the same
/// time: an email, a queue message. A caller first takes the action (a conditional insert: one of two
/// concurrent callers wins), does it, then completes it. A take that was never completed — the process died
/// in between — can be taken again after <see cref="Lease"/>, so a crash means a late retry, never silence.
/// The <c>now</c> callers pass is the clock's, never a workflow's time: a retried activity gets the same workflow
/// time as the attempt that crashed, so against it a crashed take would never expire.
/// </summary>
public sealed class OneTimeActions(StorageAccount storage)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private TableClient Table => storage.Table(TableNames.OneTimeActions);

    /// <summary>True when the caller now holds the action and should do it; false when it is done or being done.</summary>
    public async Task<bool> TryTakeAsync(string subject, string action, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = new TableEntity(subject, action) { ["TakenAt"] = now, ["Done"] = false };
        try
        {
            await Table.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await Table.GetEntityAsync<TableEntity>(subject, action, cancellationToken: cancellationToken);
            if (existing.Value.GetBoolean("Done") == true || existing.Value.GetDateTimeOffset("TakenAt") > now - Lease)
            {
                return false;
            }

            try
            {
                await Table.UpdateEntityAsync(row, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException conflict) when (conflict.Status == 412)
            {
                return false;
            }
        }
    }

    public async Task CompleteAsync(string subject, string action, CancellationToken cancellationToken = default) =>
        await Table.UpsertEntityAsync(new TableEntity(subject, action) { ["Done"] = true }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Lets the action be taken again at once (it failed and the activity will be retried).</summary>
    public async Task ReleaseAsync(string subject, string action, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(subject, action, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task<bool> IsDoneAsync(string subject, string action, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(subject, action, cancellationToken: cancellationToken);
        return row.HasValue && row.Value!.GetBoolean("Done") == true;
    }

    /// <summary>Takes, does and completes an action; releases it when doing it throws. False when it was done already.</summary>
    public async Task<bool> RunOnceAsync(string subject, string action, DateTimeOffset now, Func<Task> work, CancellationToken cancellationToken = default)
    {
        if (!await TryTakeAsync(subject, action, now, cancellationToken))
        {
            return false;
        }

        try
        {
            using var telemetry = Telemetry.PortalTelemetry.BeginSubject(subject);
            await work();
        }
        catch
        {
            await ReleaseAsync(subject, action, CancellationToken.None);
            throw;
        }

        await CompleteAsync(subject, action, cancellationToken);
        return true;
    }
}
