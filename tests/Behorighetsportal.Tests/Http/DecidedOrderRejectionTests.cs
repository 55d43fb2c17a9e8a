using System.Net;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Requests that come too late — an approval link used a second time, a cancel of an order that is already
/// active or rejected — are refused, say what happened, and change nothing. Each test has its own devhost.
/// </summary>
public sealed class DecidedOrderRejectionTests : IDisposable
{
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Theory]
    [InlineData("approve", "approve", "godkänd", OrderStatus.PendingAttestation)]
    [InlineData("approve", "reject", "godkänd", OrderStatus.PendingAttestation)]
    [InlineData("reject", "approve", "avslagen", OrderStatus.Rejected)]
    public async Task DecideApproval_LinkUsedAgain_Returns409PageNamingWhoDecidedAndChangesNothing(
        string first, string second, string decided, OrderStatus status)
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var link = (await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/");
        var firstResponse = await OrderFlow.DecideAsync(app, Demo.Fredrik, link, first);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, status);
        if (status == OrderStatus.Rejected)
        {
            await app.Durable.WaitForInstanceCompletionAsync(orderId);
        }

        var before = await StoredState.SettledAsync(app);

        // Act
        var again = await OrderFlow.DecideAsync(app, Demo.Fredrik, link, second);
        using var fredrik = app.As(Demo.Fredrik);
        var shown = await fredrik.GetAsync(new Uri(link).PathAndQuery);

        // Assert
        var html = await ProblemAssert.IsPageAsync(again, HttpStatusCode.Conflict);
        Assert.Contains($"redan {decided} av Fredrik Falk", html, StringComparison.Ordinal);
        Assert.Contains("en gång", html, StringComparison.Ordinal);
        var page = await ProblemAssert.IsPageAsync(shown, HttpStatusCode.Conflict);
        Assert.Contains("Fredrik Falk", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", page, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, $"the approval link used again ({second} after {first})");
        var view = await OrderFlow.GetAsync(app, Demo.Eva, orderId);
        Assert.Equal(status, view.Status);
        Assert.Single(view.History, h => h.Step is "ApprovalGiven" or "ApprovalRefused");
    }

    [Fact]
    public async Task CancelOrder_Active_Returns409AndChangesNothing()
    {
        // Arrange: Fredrik orders for his own report (no approval), Marknadsplatsen attests, it activates today.
        await using var app = await StartedPortal.StartAsync(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Fredrik, Demo.Hugo, Demo.HugoEngagement);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.PendingAttestation);
        await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.Active);
        await app.Durable.WaitForInstanceCompletionAsync(orderId);
        var before = await StoredState.SettledAsync(app);
        using var fredrik = app.As(Demo.Fredrik);

        // Act
        var response = await fredrik.PostAsync($"/api/orders/{orderId}/cancel", null);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("aktiv", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "cancelling an active order");
        Assert.Equal(OrderStatus.Active, (await OrderFlow.GetAsync(app, Demo.Fredrik, orderId)).Status);
    }

    [Theory]
    [InlineData(Demo.Eva)] // the orderer
    [InlineData(Demo.Fredrik)] // the manager
    public async Task CancelOrder_Rejected_Returns409AndChangesNothing(string caller)
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var link = (await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/");
        await OrderFlow.DecideAsync(app, Demo.Fredrik, link, "reject");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Rejected);
        await app.Durable.WaitForInstanceCompletionAsync(orderId);
        var before = await StoredState.SettledAsync(app);
        using var client = app.As(caller);

        // Act
        var response = await client.PostAsync($"/api/orders/{orderId}/cancel", null);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("avslagen", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "cancelling a rejected order");
        Assert.Equal(OrderStatus.Rejected, (await OrderFlow.GetAsync(app, Demo.Eva, orderId)).Status);
    }
}
