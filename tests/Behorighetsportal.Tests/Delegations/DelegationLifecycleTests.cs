using System.Net;
using Azure.Data.Tables;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Xunit;

namespace Behorighetsportal.Tests.Delegations;

/// <summary>
/// <see cref="DelegationLifecycleOrchestrator"/> on the real Durable Task engine (the devhost's, in-process), with
/// the real activities on Azurite and a real SMTP server (R8). A delegation's days begin at 00:00
/// Europe/Stockholm; here the lifecycle is given instants a few seconds away instead, so that "starts on its
/// date" and "ends on its date" happen within a test.
/// </summary>
public sealed class DelegationLifecycleTests : IDisposable
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Lifecycle_StartInstantPasses_ScheduledUntilThenActiveWithEmail()
    {
        // Arrange
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        await DelegationFlow.WarmUpAsync(app);
        // Far enough ahead that a loaded 2-core machine still looks before the start.
        var startsAt = DateTime.UtcNow.AddSeconds(15);

        // Act
        var id = await DelegationFlow.ScheduleAsync(app, startsAt, startsAt.AddHours(1));
        var before = await DelegationFlow.GetAsync(app, id);
        var rightsBefore = await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil);
        var checkedAt = DateTime.UtcNow;
        var active = await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active, TimeSpan.FromSeconds(90));
        var activeSeenAt = DateTime.UtcNow;

        // Assert: scheduled, without rights, until the start instant; active, with rights and the email, after it.
        Assert.True(checkedAt < startsAt, "The test was too slow to look before the start instant.");
        Assert.Equal(DelegationStatus.Scheduled, before.Status);
        Assert.Empty(rightsBefore);
        Assert.True(activeSeenAt >= startsAt - Slack, $"Active at {activeSeenAt:O}, before the start {startsAt:O}");
        Assert.Equal(DelegationStatus.Active, active.Status);
        Assert.Contains(Demo.Anna, await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
        var started = Assert.Single(await DelegationFlow.AuditAsync(app, id), e => e.Step == "Started");
        Assert.True(started.At >= new DateTimeOffset(startsAt, TimeSpan.Zero) - Slack, $"Started {started.At:O}, due {startsAt:O}");
        Assert.Equal("system", started.Actor);
        var email = await DelegationFlow.StartEmailAsync(app);
        Assert.Contains("Anna Andersson", email.Text, StringComparison.Ordinal);
        Assert.Single(DelegationFlow.EmailsTo(_inbox, DelegationFlow.BertilEmail), m => m.Subject == DelegationFlow.StartedSubject);
        var instance = await app.Durable.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance!.RuntimeStatus);
    }

    [Fact]
    public async Task Lifecycle_EndInstantPasses_EndedAndRightsGone()
    {
        // Arrange: active from now, ending a little later — far enough ahead that a loaded 2-core machine still
        // looks while it is active.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        await DelegationFlow.WarmUpAsync(app);
        var endsAt = DateTime.UtcNow.AddSeconds(15);
        var id = await DelegationFlow.ScheduleAsync(app, DateTime.UtcNow, endsAt);
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);
        var rightsWhileActive = await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil);
        var chefWhileActive = (await DelegationFlow.AssignmentsAsync(app, Demo.Bertil)).Where(a => a.Resource == "Chef").ToList();
        var lookedAt = DateTime.UtcNow;

        // Act
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        var ended = await DelegationFlow.GetAsync(app, id);

        // Assert
        Assert.True(lookedAt < endsAt, "The test was too slow to look while the delegation was active.");
        Assert.Contains(Demo.Anna, rightsWhileActive);
        Assert.Single(chefWhileActive);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(DelegationStatus.Ended, instance.ReadOutputAs<DelegationStatus>());
        Assert.Equal(DelegationStatus.Ended, ended.Status);
        Assert.Equal(DelegationStatus.Ended, (await DelegationFlow.Repository(app).ListReceivedAsync(Demo.Bertil)).Single(d => d.DelegationId == id).Status);
        Assert.Empty(await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
        Assert.DoesNotContain(await DelegationFlow.AssignmentsAsync(app, Demo.Bertil), a => a.Resource == "Chef");
        var audit = await DelegationFlow.AuditAsync(app, id);
        var end = Assert.Single(audit, e => e.Step == "Ended");
        Assert.True(end.At >= new DateTimeOffset(endsAt, TimeSpan.Zero) - Slack, $"Ended {end.At:O}, due {endsAt:O}");
        Assert.Equal("system", end.Actor);
        Assert.Contains(audit, e => e.Step == "Started");
        Assert.DoesNotContain(audit, e => e.Step == "Revoked");

        // An ended delegation cannot be revoked any more.
        using var late = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(DelegationStatus.Ended, (await DelegationFlow.GetAsync(app, id)).Status);
    }

    [Fact]
    public async Task Lifecycle_RevokedWhileActive_EndsAtOnceAndRightsGone()
    {
        // Arrange: active, with an hour to go.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var id = await DelegationFlow.ScheduleAsync(app, DateTime.UtcNow, DateTime.UtcNow.AddHours(1));
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);

        // Act
        using var response = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        var rightsAtOnce = await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil);
        using var completion = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, completion.Token);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(rightsAtOnce);
        Assert.Equal(DelegationStatus.Revoked, instance.ReadOutputAs<DelegationStatus>());
        var revoked = await DelegationFlow.GetAsync(app, id);
        Assert.Equal(DelegationStatus.Revoked, revoked.Status);
        Assert.Equal(Demo.Anna, revoked.RevokedBy);
        Assert.NotNull(revoked.RevokedAt);
        var audit = await DelegationFlow.AuditAsync(app, id);
        Assert.Equal(Demo.Anna, Assert.Single(audit, e => e.Step == "Revoked").Actor);
        Assert.DoesNotContain(audit, e => e.Step == "Ended");

        // Revoking again is answered the same, and changes nothing.
        using var again = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(await DelegationFlow.AuditAsync(app, id), e => e.Step == "Revoked");
    }

    [Fact]
    public async Task Lifecycle_RevokedBeforeStart_NeverStarts()
    {
        // Arrange: starts in a few seconds — enough that the revocation surely comes first, even on a loaded machine.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var startsAt = DateTime.UtcNow.AddSeconds(15);
        var id = await DelegationFlow.ScheduleAsync(app, startsAt, startsAt.AddHours(1));

        // Act
        using var response = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        using var completion = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, completion.Token);
        // Past the start instant (already past, on a slow machine: no negative delay).
        var untilPastStart = startsAt - DateTime.UtcNow + TimeSpan.FromSeconds(2);
        if (untilPastStart > TimeSpan.Zero)
        {
            await Task.Delay(untilPastStart);
        }

        // Assert: the start instant has passed; it never became active, and the delegate heard nothing.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DelegationStatus.Revoked, instance.ReadOutputAs<DelegationStatus>());
        Assert.Equal(DelegationStatus.Revoked, (await DelegationFlow.GetAsync(app, id)).Status);
        Assert.Empty(await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
        Assert.DoesNotContain(await DelegationFlow.AssignmentsAsync(app, Demo.Bertil), a => a.Resource == "Chef");
        Assert.Empty(DelegationFlow.EmailsTo(_inbox, DelegationFlow.BertilEmail));
        var audit = await DelegationFlow.AuditAsync(app, id);
        Assert.Contains(audit, e => e.Step == "Revoked" && e.Actor == Demo.Anna);
        Assert.DoesNotContain(audit, e => e.Step is "Started" or "StartEmailSent" or "Ended");
    }

    [Fact]
    public async Task Lifecycle_CreatedForLaterDaysThenRevoked_CompletesRevoked()
    {
        // Arrange: over HTTP, starting tomorrow (a timer to 00:00 Europe/Stockholm).
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today.AddDays(1), today.AddDays(3));
        await app.Durable.WaitForInstanceStartAsync(id);
        var scheduled = await DelegationFlow.AssignmentsAsync(app, Demo.Bertil);

        // Act
        using var response = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        using var completion = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, completion.Token);

        // Assert: shown as coming while scheduled (with no rights yet), gone once revoked.
        var coming = Assert.Single(scheduled, a => a.Resource == "Chef");
        Assert.Equal(nameof(DelegationStatus.Scheduled), coming.Status);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DelegationStatus.Revoked, instance.ReadOutputAs<DelegationStatus>());
        Assert.DoesNotContain(await DelegationFlow.AssignmentsAsync(app, Demo.Bertil), a => a.Resource == "Chef");
        Assert.Equal(["Created", "Revoked"], (await DelegationFlow.AuditAsync(app, id)).Select(e => e.Step).ToArray());
    }

    [Fact]
    public async Task Lifecycle_PeriodOfThirtyDaysOnAzureStorage_ActiveAndWaitsInSplitTimers()
    {
        // Arrange: the Azure Storage backend, where one timer message may wait at most 7 days.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox, backend: "AzureStorage");
        var today = DelegationFlow.Today;
        var endsAt = StockholmTime.StartOfDayUtc(today.AddDays(31));

        // Act
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today, today.AddDays(30));
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);
        await DelegationFlow.StartEmailAsync(app);
        var timers = await WaitForTimersAsync(app, id, count: 2);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var instance = await app.Durable.GetInstanceAsync(id, getInputsAndOutputs: true);

        // Assert: running without failure, and every timer it set fires within the engine's maximum interval
        // (3 days), far before the end, which lies more than 7 days ahead.
        Assert.True(endsAt - DateTime.UtcNow > TimeSpan.FromDays(7));
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance!.RuntimeStatus);
        Assert.Null(instance.FailureDetails);
        Assert.Equal(DelegationStatus.Active, (await DelegationFlow.GetAsync(app, id)).Status);
        var endTimer = timers.Max();
        Assert.True(endTimer <= DateTime.UtcNow.AddDays(3).AddMinutes(1), $"A timer fires at {endTimer:O}, more than 3 days ahead");
        Assert.True(endTimer > DateTime.UtcNow.AddDays(2), $"The latest timer fires at {endTimer:O}: the end wait was not set");
        Assert.Contains(Demo.Anna, await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
    }

    [Fact]
    public async Task Lifecycle_TimersSplitIntoOneSecondPieces_EndsOnTime()
    {
        // Arrange: Azure Storage, with every durable timer cut into pieces of at most one second.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox, new Dictionary<string, string?> { ["Durable:MaximumTimerInterval"] = "00:00:01" }, backend: "AzureStorage");
        var endsAt = DateTime.UtcNow.AddSeconds(6);

        // Act
        var id = await DelegationFlow.ScheduleAsync(app, DateTime.UtcNow, endsAt);
        using var completion = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, completion.Token);

        // Assert: ended after its end instant, through a chain of short timers. (How soon after is a benchmark's
        // question; on a loaded 2-core machine a timer can be seconds late.)
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Null(instance.FailureDetails);
        Assert.Equal(DelegationStatus.Ended, instance.ReadOutputAs<DelegationStatus>());
        var end = Assert.Single(await DelegationFlow.AuditAsync(app, id), e => e.Step == "Ended");
        Assert.True(end.At >= new DateTimeOffset(endsAt, TimeSpan.Zero) - Slack, $"Ended {end.At:O}, due {endsAt:O}");
        var timers = await TimersAsync(app, id);
        Assert.True(timers.Count >= 4, $"Expected the 6 s wait in pieces of 1 s, got {timers.Count} timers: {string.Join(", ", timers.Select(t => t.ToString("O")))}");
        Assert.Empty(await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
    }

    [Fact]
    public async Task ApprovalLink_MailedToDelegate_RefusedOnceDelegationEnds()
    {
        // Arrange: Bertil is Anna's delegate for a few seconds; Eva (orderer) orders for Karin, Anna's report.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var endsAt = DateTime.UtcNow.AddSeconds(8);
        var id = await DelegationFlow.ScheduleAsync(app, DateTime.UtcNow, endsAt);
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Karin, Demo.KarinNewEngagement, "Utökad");
        var link = await DelegationFlow.ApprovalLinkAsync(app, DelegationFlow.BertilEmail, orderId);
        var whileActive = await DelegationFlow.OpenLinkAsync(app, Demo.Bertil, link);

        // Act
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Ended, TimeSpan.FromSeconds(30));
        var shown = await DelegationFlow.OpenLinkAsync(app, Demo.Bertil, link);
        var decided = await DelegationFlow.PostLinkAsync(app, Demo.Bertil, link, ("decision", "approve"));

        // Assert: the link worked while he held the role, and is refused now; the order still waits for Anna.
        Assert.True(whileActive.Status == HttpStatusCode.OK, $"{(int)whileActive.Status}: {whileActive.Page}");
        Assert.Contains("Karin Kvist", whileActive.Page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, shown.Status);
        Assert.Equal(HttpStatusCode.Forbidden, decided.Status);
        Assert.DoesNotContain("Karin", shown.Page, StringComparison.Ordinal);
        var order = await OrderFlow.GetAsync(app, Demo.Anna, orderId);
        Assert.Equal(OrderStatus.PendingApproval, order.Status);
        Assert.DoesNotContain(order.History, h => h.Step is "ApprovalGiven" or "ApprovalRefused");
        var annasLink = await DelegationFlow.ApprovalLinkAsync(app, DelegationFlow.AnnaEmail, orderId);
        var annaDecides = await DelegationFlow.PostLinkAsync(app, Demo.Anna, annasLink, ("decision", "approve"));
        Assert.Equal(HttpStatusCode.OK, annaDecides.Status);
    }

    /// <summary>The fire-at instants of the TimerCreated events in the instance's history (Azure Storage backend).</summary>
    private static async Task<IReadOnlyList<DateTime>> TimersAsync(PortalApp app, string instanceId)
    {
        var history = new TableClient(Azurite.ConnectionString, app.Prefix + "History");
        List<DateTime> timers = [];
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
        {
            if (row.GetString("EventType") == "TimerCreated" && row.GetDateTime("FireAt") is { } fireAt)
            {
                timers.Add(fireAt.ToUniversalTime());
            }
        }

        return timers;
    }

    private static async Task<IReadOnlyList<DateTime>> WaitForTimersAsync(PortalApp app, string instanceId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<DateTime> timers;
        do
        {
            timers = await TimersAsync(app, instanceId);
            if (timers.Count >= count)
            {
                return timers;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{instanceId}: {timers.Count} timers in the history, expected {count}.");
        return timers;
    }
}
