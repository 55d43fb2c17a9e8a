using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Everything a request could leave behind, read straight from storage and the engine: every row (with its
/// ETag) of the app's prefixed tables, the messages on the provisioning queue, the durable orchestration
/// instances and the emails the inbox has received. Two snapshots that are equal mean nothing was stored,
/// changed, started or sent in between.
/// </summary>
public sealed record StoredState(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tables,
    IReadOnlyList<string> ProvisioningMessages,
    IReadOnlyDictionary<string, string> Instances,
    int Emails)
{
    /// <summary>The tables a request could write to (all the product owns).</summary>
    public static readonly IReadOnlyList<string> TableNamesChecked = TableNames.All;

    /// <summary>How long to let a rejected request's possible side effects (an orchestration, an email) happen.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(300);

    public static async Task<StoredState> ReadAsync(PortalApp app)
    {
        await app.Storage.EnsureCreatedAsync();
        var tables = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var name in TableNamesChecked)
        {
            var rows = new Dictionary<string, string>();
            await foreach (var row in app.Storage.Table(name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                rows[row.PartitionKey + " / " + row.RowKey] = row.ETag.ToString();
            }

            tables[name] = rows;
        }

        var queue = app.Storage.Queue(QueueNames.Provisioning);
        var messages = new List<string>();
        try
        {
            var properties = await queue.GetPropertiesAsync();
            messages.Add("count=" + properties.Value.ApproximateMessagesCount);
            var peeked = await queue.PeekMessagesAsync(maxMessages: 32);
            messages.AddRange(peeked.Value.Select(m => m.MessageId + ":" + m.InsertedOn?.ToUnixTimeMilliseconds()));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            messages.Add("queue missing");
        }

        var instances = new Dictionary<string, string>();
        await foreach (var instance in app.Durable.GetAllInstancesAsync(new OrchestrationQuery { FetchInputsAndOutputs = false }))
        {
            instances[instance.InstanceId] = instance.RuntimeStatus.ToString();
        }

        return new StoredState(tables, messages, instances, app.Inbox.Messages.Count);
    }

    /// <summary>
    /// A snapshot once background work has come to rest (two reads a moment apart agree): an order placed in a
    /// test's arrange step keeps writing for a while (audit entries, emails) before it waits for someone.
    /// </summary>
    public static async Task<StoredState> SettledAsync(PortalApp app, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var previous = await ReadAsync(app);
        while (true)
        {
            await Task.Delay(SettleTime);
            var current = await ReadAsync(app);
            if ((current.SameAs(previous) && !await SideEffectInFlightAsync(app) && !await BatchRunInProgressAsync(app)) || DateTime.UtcNow > deadline)
            {
                return current;
            }

            previous = current;
        }
    }

    /// <summary>
    /// Whether a one-time action (an email, a provisioning message) has been taken but not completed: its side effect
    /// is under way, so the state is not settled however still it looks — on a loaded machine a send can take longer
    /// than <see cref="SettleTime"/>.
    /// </summary>
    public static async Task<bool> SideEffectInFlightAsync(PortalApp app)
    {
        await foreach (var _ in app.Storage.Table(TableNames.OneTimeActions).QueryAsync<TableEntity>("Done eq false", select: ["PartitionKey"]))
        {
            return true;
        }

        return false;
    }

    /// <summary>
    /// Whether a run over many people (a KiV import, the nightly reconciliation or a saved policy's re-evaluation) is
    /// still going: unlike an order's workflow it never waits for anyone, yet one of its activities can work longer
    /// than <see cref="SettleTime"/> without anything to see.
    /// </summary>
    public static async Task<bool> BatchRunInProgressAsync(PortalApp app)
    {
        var query = new OrchestrationQuery { FetchInputsAndOutputs = false, Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running] };
        await foreach (var instance in app.Durable.GetAllInstancesAsync(query))
        {
            if (instance.Name is nameof(Behorighetsportal.Kiv.NightlyReconciliationOrchestrator) or nameof(Behorighetsportal.Kiv.KivImportOrchestrator))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Fails, naming every difference, unless the app's stored state is still exactly this one.</summary>
    public async Task AssertUnchangedAsync(PortalApp app, string because)
    {
        await Task.Delay(SettleTime);
        var after = await ReadAsync(app);
        var differences = Differences(after);
        Assert.True(differences.Count == 0, $"{because}: something was stored, changed, started or sent:\n  " + string.Join("\n  ", differences));
    }

    public bool SameAs(StoredState other) => Differences(other).Count == 0;

    public IReadOnlyList<string> Differences(StoredState after)
    {
        var differences = new List<string>();
        foreach (var (table, rows) in Tables)
        {
            var later = after.Tables[table];
            differences.AddRange(later.Keys.Except(rows.Keys).Select(k => $"{table}: row added {k}"));
            differences.AddRange(rows.Keys.Except(later.Keys).Select(k => $"{table}: row removed {k}"));
            differences.AddRange(rows.Keys.Intersect(later.Keys).Where(k => rows[k] != later[k]).Select(k => $"{table}: row changed {k}"));
        }

        if (!ProvisioningMessages.SequenceEqual(after.ProvisioningMessages))
        {
            differences.Add($"provisioning queue: [{string.Join(", ", ProvisioningMessages)}] -> [{string.Join(", ", after.ProvisioningMessages)}]");
        }

        differences.AddRange(after.Instances.Keys.Except(Instances.Keys).Select(id => $"orchestration started: {id} ({after.Instances[id]})"));
        differences.AddRange(Instances.Keys.Intersect(after.Instances.Keys).Where(id => Instances[id] != after.Instances[id])
            .Select(id => $"orchestration {id}: {Instances[id]} -> {after.Instances[id]}"));
        if (after.Emails != Emails)
        {
            differences.Add($"emails sent: {after.Emails - Emails}");
        }

        return differences;
    }
}
