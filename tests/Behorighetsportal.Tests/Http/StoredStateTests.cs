using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// The "nothing stored" checks are only worth something if <see cref="StoredState"/> does see what an accepted
/// request leaves behind: rows, changed ETags, a provisioning message, an orchestration, an email.
/// </summary>
public sealed class StoredStateTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task StoredState_AcceptedOrderThroughActivation_SeesEveryKindOfChange()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var before = await StoredState.SettledAsync(app);

        // Act: Fredrik orders for Hugo (no approval), Marknadsplatsen attests, it activates today.
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Fredrik, Demo.Hugo, Demo.HugoEngagement);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.PendingAttestation);
        var placed = await StoredState.ReadAsync(app);
        await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, orderId, OrderStatus.Active);
        await _inbox.WaitForAsync(m => m.Subject == "Dags att hämta initialt lösenord");
        var active = await StoredState.SettledAsync(app);

        // Assert
        var placing = before.Differences(placed);
        Assert.Contains($"Orders: row added {orderId} / order", placing);
        Assert.Contains(placing, d => d.StartsWith($"Orders: row added {orderId} / history|", StringComparison.Ordinal));
        Assert.Contains(placing, d => d.StartsWith($"Identities: row added {Demo.Hugo} / ", StringComparison.Ordinal));
        Assert.Contains(placing, d => d.StartsWith($"orchestration started: {orderId}", StringComparison.Ordinal));
        Assert.Empty(before.Instances);
        var activating = placed.Differences(active);
        Assert.Contains($"Orders: row changed {orderId} / order", activating);
        Assert.Contains(activating, d => d.StartsWith("provisioning queue:", StringComparison.Ordinal));
        Assert.Contains(activating, d => d.StartsWith("emails sent:", StringComparison.Ordinal));
        Assert.Contains(activating, d => d.StartsWith($"orchestration {orderId}: ", StringComparison.Ordinal));
        Assert.False(before.SameAs(active));
    }
}
