using System.Net;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Orchestration;

/// <summary>
/// The order lifecycle on the real Durable Task engine (in-process, fast in-memory backend), with the real
/// activities on Azurite and a real SMTP server. Durations are short so reminders, expiries and timers fire.
/// </summary>
public sealed class OrderLifecycleTests : IDisposable
{
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private const string EvaEmail = "eva.ek@example.vgregion.se";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Settings_FromTest_ReachTheHost()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);

        // Act
        var configuration = app.Services.GetRequiredService<IConfiguration>();

        // Assert
        Assert.Equal(app.Prefix, configuration["Storage:NamePrefix"]);
        Assert.Equal("InMemory", configuration["Durable:Backend"]);
        Assert.Equal(_inbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), configuration["Email:SmtpPort"]);
    }

    [Fact]
    public async Task Lifecycle_ApprovedAndAttested_ActivatesAndSendsPasswordEmail()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var email = await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId);

        // Act
        var decided = await OrderFlow.DecideAsync(app, Demo.Fredrik, email.Link("http://localhost/api/approvals/"), "approve");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        var attested = await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Active);
        var instance = await app.Durable.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true);
        var active = await OrderFlow.GetAsync(app, Demo.Eva, orderId);

        // Assert
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, attested.StatusCode);
        Assert.Equal(["Placed", "ApprovalRequested", "ApprovalGiven", "Approved", "AttestationApproved", "Attested", "Activated"],
            active.History.Select(h => h.Step).Where(s => s != "InitialPasswordNoticeSent").ToArray());
        var notice = await _inbox.WaitForAsync(m => m.To == FredrikEmail && m.Subject == "Dags att hämta initialt lösenord");
        Assert.Contains("Hugo Holm", notice.Text, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(OrderStatus.Active, instance.ReadOutputAs<OrderStatus>());
    }

    [Fact]
    public async Task Lifecycle_Rejected_EndsRejectedAndTellsOrderer()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var email = await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId);

        // Act
        await OrderFlow.DecideAsync(app, Demo.Fredrik, email.Link("http://localhost/api/approvals/"), "reject");
        var view = await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Rejected);

        // Assert
        var notice = await _inbox.WaitForAsync(m => m.To == EvaEmail);
        Assert.Equal("Beställning avslogs av chef", notice.Subject);
        Assert.Contains(orderId, notice.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(view.History, h => h.Step == "AttestationApproved");
    }

    [Fact]
    public async Task Lifecycle_NoDecision_RemindsThenExpires()
    {
        // Arrange
        await using var app = new PortalApp(_inbox, new Dictionary<string, string?>
        {
            ["Workflow:ApprovalReminderAfter"] = "00:00:02",
            ["Workflow:ApprovalExpiresAfter"] = "00:00:05",
        });

        // Act
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var view = await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Expired, TimeSpan.FromSeconds(60));

        // Assert
        var reminder = await _inbox.WaitForAsync(m => m.To == FredrikEmail && m.Subject.StartsWith("Påminnelse", StringComparison.Ordinal));
        Assert.Contains("påminnelse", reminder.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(view.History, h => h.Step == "ApprovalReminderSent");
        Assert.Contains(view.History, h => h.Step == "ApprovalExpired");
        var notice = await _inbox.WaitForAsync(m => m.To == EvaEmail);
        Assert.Equal("Beställning upphörde – inget godkännande", notice.Subject);

        // The link mailed before expiry now says the order is closed, and changes nothing.
        var link = (await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/");
        var late = await OrderFlow.DecideAsync(app, Demo.Fredrik, link, "approve");
        Assert.NotEqual(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(OrderStatus.Expired, (await OrderFlow.GetAsync(app, Demo.Eva, orderId)).Status);
    }

    [Fact]
    public async Task Lifecycle_DecisionRaisedBeforeOrchestratorWaits_IsNotLost()
    {
        // Arrange: the orchestration is scheduled but has not run yet when the decision arrives.
        await using var app = new PortalApp(_inbox);
        var orders = app.Services.GetRequiredService<OrderRepository>();
        var orderId = "ORD-EARLY-" + Guid.NewGuid().ToString("N")[..8];
        var today = Directory.StockholmTime.Today(TimeProvider.System);
        await orders.PlaceAsync(new Order(orderId, Demo.Hugo, Demo.HugoEngagement, "Standard", today, today, Demo.Eva, Demo.Fredrik,
            RequiresApproval: true, Comment: null, PlacedAt: DateTimeOffset.UtcNow, Status: OrderStatus.PendingApproval));
        await orders.DecideApprovalAsync(orderId, new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow));

        // Act
        await app.Durable.ScheduleNewOrchestrationInstanceAsync(nameof(OrderLifecycleOrchestrator),
            new OrderLifecycleInput(orderId, true, DateTime.UtcNow, new OrderTimeouts(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2))),
            new StartOrchestrationOptions(orderId));
        await app.Durable.RaiseEventAsync(orderId, OrderEvents.ApprovalDecided, new DecisionEvent(DecisionOutcome.Approved, Demo.Fredrik));

        // Assert
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
    }

    [Fact]
    public async Task Lifecycle_TwoDecisionsAtOnce_FirstWinsAndSecondIsToldWhoDecided()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var link = (await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/");

        // Act
        var responses = await Task.WhenAll(
            OrderFlow.DecideAsync(app, Demo.Fredrik, link, "approve"),
            OrderFlow.DecideAsync(app, Demo.Fredrik, link, "reject"));

        // Assert
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        var page = await loser.Content.ReadAsStringAsync();
        Assert.Contains("redan", page, StringComparison.Ordinal);
        Assert.Contains("Fredrik Falk", page, StringComparison.Ordinal);
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadAsStringAsync();
        var expected = winner.Contains("godkänt", StringComparison.Ordinal) ? OrderStatus.PendingAttestation : OrderStatus.Rejected;
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, expected);
    }

    [Fact]
    public async Task Lifecycle_AttestationRejected_EndsRejectedAndTellsOrderer()
    {
        // Arrange: Fredrik orders for his own report, so no approval is needed (R2).
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Fredrik, Demo.Hugo, Demo.HugoEngagement);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.PendingAttestation);

        // Act
        var response = await OrderFlow.AttestAsync(app, orderId, "rejected");
        var view = await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.Rejected);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.DoesNotContain(view.History, h => h.Step == "ApprovalRequested");
        var notice = await _inbox.WaitForAsync(m => m.To == FredrikEmail && m.Subject == "Beställning avslogs i ekonomisk attest");
        Assert.Contains("Marknadsplatsen", notice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_NoAttestation_Expires()
    {
        // Arrange
        await using var app = new PortalApp(_inbox, new Dictionary<string, string?> { ["Workflow:AttestationExpiresAfter"] = "00:00:03" });

        // Act
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Fredrik, Demo.Hugo, Demo.HugoEngagement);
        var view = await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.Expired);

        // Assert
        Assert.Contains(view.History, h => h.Step == "AttestationExpired");
        await _inbox.WaitForAsync(m => m.To == FredrikEmail && m.Subject == "Beställning upphörde – ingen ekonomisk attest");
        var late = await OrderFlow.AttestAsync(app, orderId);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task Lifecycle_FutureStartDate_WaitsThenActivatesWhenDue()
    {
        // Arrange: Cecilia starts in 14 days; Anna, her manager, orders without approval (R2, R4).
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Anna, Demo.Cecilia, Demo.CeciliaEngagement);
        await OrderFlow.AttestAsync(app, orderId);
        var waiting = await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.WaitingForStartDate);
        var expectedDate = Directory.StockholmTime.Today(TimeProvider.System).AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expectedDate, waiting.ActivationDate);
        await Task.Delay(1000);
        Assert.Equal(OrderStatus.WaitingForStartDate, (await OrderFlow.GetAsync(app, Demo.Anna, orderId)).Status);

        // Act: an order whose activation instant is a few seconds away, on the same engine.
        var orders = app.Services.GetRequiredService<OrderRepository>();
        var soonId = "ORD-SOON-" + Guid.NewGuid().ToString("N")[..8];
        var today = Directory.StockholmTime.Today(TimeProvider.System);
        await orders.PlaceAsync(new Order(soonId, Demo.Hugo, Demo.HugoEngagement, "Standard", today, today, Demo.Fredrik, Demo.Fredrik,
            RequiresApproval: false, Comment: null, PlacedAt: DateTimeOffset.UtcNow, Status: OrderStatus.PendingAttestation));
        var dueAt = DateTime.UtcNow.AddSeconds(4);
        await app.Durable.ScheduleNewOrchestrationInstanceAsync(nameof(OrderLifecycleOrchestrator),
            new OrderLifecycleInput(soonId, false, dueAt, new OrderTimeouts(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2))),
            new StartOrchestrationOptions(soonId));
        await app.Durable.WaitForInstanceStartAsync(soonId);
        await OrderFlow.AttestAsync(app, soonId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, soonId, OrderStatus.WaitingForStartDate);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, soonId, OrderStatus.Active, TimeSpan.FromSeconds(30));
        await app.Durable.WaitForInstanceCompletionAsync(soonId);
        var active = await OrderFlow.GetAsync(app, Demo.Fredrik, soonId);

        // Assert
        var activatedAt = active.History.Single(h => h.Step == "Activated").At;
        Assert.True(activatedAt >= new DateTimeOffset(dueAt, TimeSpan.Zero).AddMilliseconds(-50), $"Activated at {activatedAt:O}, due {dueAt:O}");
    }

    [Fact]
    public async Task Lifecycle_CancelWhileWaitingForStartDate_EndsOrchestration()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Anna, Demo.Cecilia, Demo.CeciliaEngagement);
        await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.WaitingForStartDate);

        // Act
        using var anna = app.As(Demo.Anna);
        var response = await anna.PostAsync($"/api/orders/{orderId}/cancel", null);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var instance = await app.Durable.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true);
        Assert.Equal(OrderStatus.Cancelled, instance.ReadOutputAs<OrderStatus>());
        var view = await OrderFlow.GetAsync(app, Demo.Anna, orderId);
        Assert.Equal(OrderStatus.Cancelled, view.Status);
        Assert.Contains(view.History, h => h.Step == "Cancelled" && h.Actor == Demo.Anna);
        Assert.DoesNotContain(view.History, h => h.Step == "Activated");

        // The engagement is free for a new order.
        await OrderFlow.PlaceAsync(app, Demo.Anna, Demo.Cecilia, Demo.CeciliaEngagement);
    }
}
