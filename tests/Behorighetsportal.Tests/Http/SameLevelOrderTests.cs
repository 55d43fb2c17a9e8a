using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Requests;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// POST /api/orders for an engagement whose user service is already active: the same level again is nothing to order
/// (409 naming the level, nothing stored, no email to anyone); another level is a change order and goes through as one.
/// </summary>
public sealed class SameLevelOrderTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Theory]
    [InlineData("Standard")]
    [InlineData("standard")]
    public async Task PlaceOrder_LevelTheUserServiceHas_409NamingTheLevelAndNothingStored(string level)
    {
        // Arrange: Bertil's user service is active at Standard; Eva (orderer) would otherwise need Anna's approval.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var before = await StoredState.SettledAsync(app);

        // Act
        using var response = await OrderRequests.PlaceAsync(app, Demo.Eva, OrderRequests.Valid(Demo.Bertil, Demo.BertilEngagement, level));

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("har redan användartjänsten på nivån Standard", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Bertil Berg", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "an order for the level the user service already has");
    }

    [Fact]
    public async Task PlaceOrder_AnotherLevelThanTheUserServiceHas_ChangeOrderActivatesTheNewLevel()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act: Anna, Bertil's manager, orders Utökad (no approval needed); Marknadsplatsen attests.
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Anna, Demo.Bertil, Demo.BertilEngagement, "Utökad");
        await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.PendingAttestation);
        using var attested = await OrderFlow.AttestAsync(app, orderId);
        var active = await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.Active);

        // Assert: the user service is now Utökad, from this order; the history says it was a change.
        Assert.Equal(HttpStatusCode.Accepted, attested.StatusCode);
        using var client = app.As(Demo.Anna);
        var bertil = (await client.GetFromJsonAsync<IdentityView>($"/api/identities/{Demo.Bertil}", JsonBody.Options))!;
        var service = Assert.Single(bertil.UserServices, s => s.EngagementId == Demo.BertilEngagement);
        Assert.Equal(("Utökad", "Active"), (service.Level, service.Status));
        var placed = Assert.Single(await RequestFlow.AuditAsync(app, orderId), e => e.Step == "Placed");
        Assert.Contains("ändring från nivå Standard", placed.Detail, StringComparison.Ordinal);
        Assert.Contains(active.History, h => h.Step == "Activated");
    }
}
