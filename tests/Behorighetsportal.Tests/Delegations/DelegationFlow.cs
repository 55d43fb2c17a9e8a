using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Audit;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Delegations;

/// <summary>
/// The steps of a delegation (R8) as managers, delegates and the engine take them, for the delegation tests to
/// read like the process: over HTTP where a person acts, through the repository and the durable client where
/// a test needs an instant a few seconds away instead of a whole Swedish day.
/// </summary>
internal static class DelegationFlow
{
    public const string AnnaEmail = "anna.andersson@example.vgregion.se";
    public const string BertilEmail = "bertil.berg@example.vgregion.se";
    public const string StartedSubject = "Chefsrollen har delegerats till dig";
    public const string ApprovalLinkPrefix = "http://localhost/api/approvals/";
    public const string PasswordLinkPrefix = "http://localhost/api/passwords/";

    public static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The tests reason in whole Swedish days (today's delegation, today's order). Within a few seconds of
    /// midnight Europe/Stockholm "today" could change under a test, so such a test first waits for the new day.
    /// </summary>
    /// <summary>
    /// Starts the host, its storage and its engine before a test takes the time it counts from: on a loaded machine
    /// the first request alone can take longer than the margin a timing test leaves itself.
    /// </summary>
    public static async Task WarmUpAsync(PortalApp app)
    {
        using var client = app.As(Demo.Anna);
        (await client.GetAsync("/api/health")).EnsureSuccessStatusCode();
        (await client.GetAsync("/api/delegations")).EnsureSuccessStatusCode();
        await DelegatedManagersAsync(app, Demo.Bertil);
    }

    public static async Task AwayFromMidnightAsync()
    {
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, StockholmTime.Zone);
        var untilMidnight = now.Date.AddDays(1) - now.DateTime;
        if (untilMidnight < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(untilMidnight + TimeSpan.FromSeconds(2));
        }
    }

    public static async Task<HttpResponseMessage> PostAsync(PortalApp app, string? manager, object body)
    {
        using var client = app.As(manager);
        return await client.PostAsJsonAsync("/api/delegations", body);
    }

    /// <summary>POST /api/delegations; asserts 202 and returns the delegation id.</summary>
    public static async Task<string> CreateAsync(PortalApp app, string manager, string deputy, DateOnly validFrom, DateOnly validTo)
    {
        using var response = await PostAsync(app, manager, new { delegateId = deputy, validFrom = Date(validFrom), validTo = Date(validTo) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(nameof(DelegationStatus.Scheduled), root.GetProperty("status").GetString());
        return root.GetProperty("delegationId").GetString()!;
    }

    public static async Task<HttpResponseMessage> RevokeAsync(PortalApp app, string caller, string delegationId)
    {
        using var client = app.As(caller);
        return await client.DeleteAsync($"/api/delegations/{delegationId}");
    }

    /// <summary>
    /// A delegation registered as the POST would (row Scheduled), with its lifecycle scheduled at the given
    /// instants instead of 00:00 Europe/Stockholm of its first day and of the day after its last.
    /// </summary>
    public static async Task<string> ScheduleAsync(
        PortalApp app, DateTime startsAtUtc, DateTime endsAtUtc, string manager = Demo.Anna, string deputy = Demo.Bertil)
    {
        var id = "DEL-T" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await Repository(app).CreateAsync(new Delegation(id, manager, deputy, Today, Today, DelegationStatus.Scheduled, DateTimeOffset.UtcNow));
        await app.Durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationLifecycleOrchestrator),
            new DelegationLifecycleInput(id, manager, startsAtUtc, endsAtUtc), new StartOrchestrationOptions(id));
        await app.Durable.WaitForInstanceStartAsync(id);
        return id;
    }

    public static DelegationRepository Repository(PortalApp app) => app.Services.GetRequiredService<DelegationRepository>();

    public static async Task<Delegation> GetAsync(PortalApp app, string delegationId, string manager = Demo.Anna) =>
        await Repository(app).GetGivenAsync(manager, delegationId) ?? throw new InvalidOperationException($"Delegation {delegationId} is not stored.");

    /// <summary>Polls the stored delegation (the manager's row and the delegate's) until both have the status.</summary>
    public static async Task<Delegation> WaitForStatusAsync(
        PortalApp app, string delegationId, DelegationStatus status, TimeSpan? timeout = null, string manager = Demo.Anna)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        Delegation current;
        do
        {
            current = await GetAsync(app, delegationId, manager);
            var received = (await Repository(app).ListReceivedAsync(current.DelegateId)).Single(d => d.DelegationId == delegationId);
            if (current.Status == status && received.Status == status)
            {
                return current;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Delegation {delegationId} did not reach {status}; it is {current.Status}.");
        return current;
    }

    /// <summary>Whose manager role the person holds as delegate right now, as every route checks it.</summary>
    public static async Task<IReadOnlySet<string>> DelegatedManagersAsync(PortalApp app, string hsaId) =>
        (await app.Services.GetRequiredService<CallerResolver>().ResolveAsync(hsaId, CancellationToken.None))!.DelegatedManagers;

    public static async Task<IReadOnlyList<Assignment>> AssignmentsAsync(PortalApp app, string hsaId)
    {
        using var client = app.As(hsaId);
        using var response = await client.GetAsync("/api/me/assignments");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/me/assignments: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<List<Assignment>>(body, JsonBody.Options)!;
    }

    public static async Task<DelegationsView> ListAsync(PortalApp app, string hsaId)
    {
        using var client = app.As(hsaId);
        using var response = await client.GetAsync("/api/delegations");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DelegationsView>(JsonBody.Options))!;
    }

    public static Task<IReadOnlyList<AuditEntry>> AuditAsync(PortalApp app, string subject) =>
        app.Services.GetRequiredService<AuditLog>().ReadAsync(subject);

    /// <summary>
    /// The emails received so far. netDumbster's list can throw when read while a message is being added, so
    /// a failed read is retried.
    /// </summary>
    public static IReadOnlyList<ReceivedEmail> Emails(SmtpInbox inbox)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return inbox.Messages;
            }
            catch (Exception e) when (attempt < 50 && e is IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                Thread.Sleep(20);
            }
        }
    }

    public static IReadOnlyList<ReceivedEmail> EmailsTo(SmtpInbox inbox, string address) =>
        Emails(inbox).Where(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Waits until an email matching the filter has arrived.</summary>
    public static async Task<ReceivedEmail> WaitForEmailAsync(PortalApp app, Func<ReceivedEmail, bool> filter, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (Emails(app.Inbox).FirstOrDefault(filter) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No matching email arrived. Received: " + string.Join(" | ", Emails(app.Inbox).Select(m => $"{m.To}: {m.Subject}")));
    }

    public static Task<ReceivedEmail> StartEmailAsync(PortalApp app, string to = BertilEmail, TimeSpan? timeout = null) =>
        WaitForEmailAsync(app, m => m.To == to && m.Subject == StartedSubject, timeout);

    /// <summary>The (first, not reminder) approval email to <paramref name="to"/> for the order.</summary>
    public static Task<ReceivedEmail> ApprovalEmailAsync(PortalApp app, string to, string orderId) =>
        WaitForEmailAsync(app, m => m.To == to && m.Text.Contains("/api/approvals/", StringComparison.Ordinal)
            && !m.Subject.StartsWith("Påminnelse", StringComparison.Ordinal) && OrderFlow.TokenSubject(m.Link(ApprovalLinkPrefix)) == orderId);

    /// <summary>The approval link mailed to <paramref name="to"/> for the order.</summary>
    public static async Task<string> ApprovalLinkAsync(PortalApp app, string to, string orderId) =>
        (await ApprovalEmailAsync(app, to, orderId)).Link(ApprovalLinkPrefix);

    public static async Task<(HttpStatusCode Status, string Page)> OpenLinkAsync(PortalApp app, string caller, string link)
    {
        using var client = app.As(caller);
        using var response = await client.GetAsync(new Uri(link).PathAndQuery);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, string Page)> PostLinkAsync(PortalApp app, string caller, string link, params (string Key, string Value)[] form)
    {
        using var client = app.As(caller);
        using var response = await PageForm.SubmitAsync(client, new Uri(link).PathAndQuery, form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<HttpResponseMessage> PlaceOrderAsync(PortalApp app, string orderer, string identity, string engagement, string level = "Utökad")
    {
        using var client = app.As(orderer);
        return await client.PostAsJsonAsync("/api/orders", new { identityId = identity, engagementId = engagement, level, startDate = Date(Today), comment = "Delegeringstest" });
    }

    public static async Task<HttpResponseMessage> GetIdentityAsync(PortalApp app, string caller, string hsaId)
    {
        using var client = app.As(caller);
        return await client.GetAsync($"/api/identities/{hsaId}");
    }
}

/// <summary>
/// What a refused request must leave untouched: every row (key and ETag, so an update shows too) of the test's
/// Delegations, AuditLog and OneTimeActions tables, the durable instances, and the emails sent.
/// </summary>
internal sealed record StoredState(
    IReadOnlyList<string> Delegations, IReadOnlyList<string> AuditLog, IReadOnlyList<string> OneTimeActions,
    IReadOnlyList<string> Instances, int Emails)
{
    public static async Task<StoredState> CaptureAsync(PortalApp app)
    {
        List<string> instances = [];
        await foreach (var instance in app.Durable.GetAllInstancesAsync(new OrchestrationQuery { PageSize = 1000 }))
        {
            instances.Add($"{instance.InstanceId} {instance.RuntimeStatus}");
        }

        instances.Sort(StringComparer.Ordinal);
        return new StoredState(
            await RowsAsync(app, TableNames.Delegations), await RowsAsync(app, TableNames.AuditLog), await RowsAsync(app, TableNames.OneTimeActions),
            instances, DelegationFlow.Emails(app.Inbox).Count);
    }

    /// <summary>Asserts nothing changed since <paramref name="before"/>, naming what did.</summary>
    public static async Task AssertUnchangedAsync(PortalApp app, StoredState before)
    {
        var after = await CaptureAsync(app);
        Assert.Equal(before.Delegations, after.Delegations);
        Assert.Equal(before.AuditLog, after.AuditLog);
        Assert.Equal(before.OneTimeActions, after.OneTimeActions);
        Assert.Equal(before.Instances, after.Instances);
        Assert.Equal(before.Emails, after.Emails);
    }

    private static async Task<IReadOnlyList<string>> RowsAsync(PortalApp app, string table)
    {
        await app.Storage.EnsureCreatedAsync();
        List<string> rows = [];
        try
        {
            await foreach (var row in app.Storage.Table(table).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                rows.Add($"{row.PartitionKey}/{row.RowKey}@{row.ETag}");
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table, no rows.
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
