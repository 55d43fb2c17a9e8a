using System.Net;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>Orders for one engagement that arrive at the same moment: one is placed, the rest are told why not.</summary>
public sealed class ConcurrentOrderTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task PlaceOrder_SameEngagementConcurrently_OneAcceptedOthers409AndOneOrderStored()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var before = await StoredState.SettledAsync(app);

        // Act: Eva (orderer), Fredrik (manager) and Hugo (himself), several times each, at once.
        var orderers = Enumerable.Repeat(new[] { Demo.Eva, Demo.Fredrik, Demo.Hugo }, 3).SelectMany(o => o).ToList();
        var responses = await Task.WhenAll(orderers.Select(o => OrderRequests.PlaceAsync(app, o, OrderRequests.Valid())));
        var after = await StoredState.SettledAsync(app);

        // Assert
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Accepted))
        {
            await ProblemAssert.IsAsync(refused, HttpStatusCode.Conflict);
        }

        var orderRows = after.Tables["Orders"].Keys.Except(before.Tables["Orders"].Keys).Where(k => k.EndsWith(" / order", StringComparison.Ordinal)).ToList();
        Assert.Single(orderRows);
        Assert.Single(after.Instances.Keys.Except(before.Instances.Keys));
    }
}
