using Behorighetsportal.Storage;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>OrderRepository on Azurite: engagement claims, first-decision-wins, final statuses.</summary>
public sealed class OrderRepositoryTests : IAsyncLifetime
{
    private StorageTestContext _context = null!;

    private OrderRepository Orders => _context.Orders;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync(seed: false);

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private Order HugoOrder() => _context.NewOrder(Demo.Hugo, Demo.HugoEngagement, Demo.Eva, Demo.Fredrik, comment: "Journal");

    [Fact]
    public async Task PlaceAsync_NewOrder_StoresOrderThatReadsBackEqual()
    {
        // Arrange
        var order = HugoOrder();

        // Act
        var result = await Orders.PlaceAsync(order);
        var stored = await Orders.GetAsync(order.OrderId);

        // Assert
        Assert.Equal(PlaceResult.Placed, result);
        Assert.NotNull(stored);
        Assert.Equal(order with { PlacedAt = stored.PlacedAt }, stored);
        Assert.Equal(order.PlacedAt.UtcTicks / TimeSpan.TicksPerMillisecond, stored.PlacedAt.UtcTicks / TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public async Task PlaceAsync_SecondOrderForSameEngagement_ReturnsEngagementBusy()
    {
        // Arrange
        await Orders.PlaceAsync(HugoOrder());
        var second = HugoOrder();

        // Act
        var result = await Orders.PlaceAsync(second);

        // Assert
        Assert.Equal(PlaceResult.EngagementBusy, result);
        Assert.Null(await Orders.GetAsync(second.OrderId));
    }

    [Fact]
    public async Task PlaceAsync_OrderForAnotherEngagementOfSamePerson_IsPlaced()
    {
        // Arrange
        await Orders.PlaceAsync(_context.NewOrder(Demo.Karin, Demo.KarinOldEngagement, Demo.Anna, Demo.Anna));

        // Act
        var result = await Orders.PlaceAsync(_context.NewOrder(Demo.Karin, Demo.KarinNewEngagement, Demo.Anna, Demo.Anna));

        // Assert
        Assert.Equal(PlaceResult.Placed, result);
    }

    [Fact]
    public async Task PlaceAsync_AfterFirstCancelledAndClaimReleased_IsPlaced()
    {
        // Arrange
        var first = HugoOrder();
        await Orders.PlaceAsync(first);
        var (cancelled, _) = await Orders.MoveToAsync(first.OrderId, OrderStatus.Cancelled);
        await Orders.ReleaseClaimAsync(cancelled);
        var second = HugoOrder();

        // Act
        var result = await Orders.PlaceAsync(second);

        // Assert
        Assert.Equal(PlaceResult.Placed, result);
        Assert.Equal(OrderStatus.PendingApproval, (await Orders.GetAsync(second.OrderId))!.Status);
    }

    [Fact]
    public async Task PlaceAsync_StaleClaimOfFinishedOrder_IsTakenOverByNewOrder()
    {
        // Arrange: the first order ended, but its claim was never released (a crash in between).
        var first = HugoOrder();
        await Orders.PlaceAsync(first);
        var (ended, _) = await Orders.MoveToAsync(first.OrderId, OrderStatus.Cancelled);
        var second = HugoOrder();

        // Act
        var result = await Orders.PlaceAsync(second);

        // Assert
        Assert.Equal(PlaceResult.Placed, result);
        var claim = await _context.RowAsync(Demo.Hugo, "activeorder|" + Demo.HugoEngagement);
        Assert.Equal(second.OrderId, claim!.GetString("OrderId"));

        // The late release of the first order must not free the engagement the second one now holds.
        await Orders.ReleaseClaimAsync(ended);
        Assert.Equal(PlaceResult.EngagementBusy, await Orders.PlaceAsync(HugoOrder()));
    }

    [Fact]
    public async Task PlaceAsync_TwentyConcurrentOrdersForSameEngagement_PlacesExactlyOne()
    {
        for (var round = 0; round < 20; round++)
        {
            // Arrange: a person of its own per round, so every round starts without a claim.
            var hsaId = "SE2321000131-E9" + round.ToString("D11", System.Globalization.CultureInfo.InvariantCulture);
            var candidates = Enumerable.Range(0, 20)
                .Select(_ => _context.NewOrder(hsaId, "ENG-RACE", Demo.Eva, Demo.Fredrik))
                .ToList();

            // Act
            var results = await Task.WhenAll(candidates.Select(o => Task.Run(() => Orders.PlaceAsync(o))));

            // Assert
            Assert.Equal(1, results.Count(r => r == PlaceResult.Placed));
            var stored = (await Task.WhenAll(candidates.Select(o => Orders.GetAsync(o.OrderId)))).Where(o => o is not null).ToList();
            Assert.Single(stored);
        }
    }

    [Fact]
    public async Task PlaceAsync_ClaimOfOrderStillBeingPlaced_ReturnsEngagementBusy()
    {
        // Arrange: order A has just claimed the engagement (PlaceAsync line 39) and not yet written its order row.
        var inFlight = HugoOrder();
        await _context.Identities.AddEntityAsync(new Azure.Data.Tables.TableEntity(Demo.Hugo, "activeorder|" + Demo.HugoEngagement)
        {
            ["OrderId"] = inFlight.OrderId,
        });
        var second = HugoOrder();

        // Act
        var result = await Orders.PlaceAsync(second);

        // Assert
        Assert.Equal(PlaceResult.EngagementBusy, result);
    }

    [Fact]
    public async Task DecideApprovalAsync_TwentyConcurrentDeciders_FirstDecisionWinsAndAllSeeIt()
    {
        // Arrange
        var order = HugoOrder();
        await Orders.PlaceAsync(order);
        var at = DateTimeOffset.UtcNow;
        var decisions = Enumerable.Range(0, 20)
            .Select(i => new Decision(i % 2 == 0 ? DecisionOutcome.Approved : DecisionOutcome.Rejected, "caller-" + i, at.AddSeconds(i)))
            .ToList();

        // Act
        var results = await Task.WhenAll(decisions.Select(d => Task.Run(() => Orders.DecideApprovalAsync(order.OrderId, d))));

        // Assert
        var recorded = Assert.Single(results, r => r.Recorded);
        var winner = recorded.Order.Approval!;
        Assert.Contains(winner, decisions);
        Assert.All(results, r => Assert.Equal(winner.By, r.Order.Approval?.By));
        Assert.All(results, r => Assert.Equal(winner.Outcome, r.Order.Approval?.Outcome));
        var stored = (await Orders.GetAsync(order.OrderId))!;
        Assert.Equal(winner.By, stored.Approval!.By);
        Assert.Equal(winner.Outcome, stored.Approval.Outcome);
        Assert.Equal(OrderStatus.PendingApproval, stored.Status);
    }

    [Fact]
    public async Task DecideApprovalAsync_OrderNotPendingApproval_IsNotRecorded()
    {
        // Arrange
        var order = _context.NewOrder(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik, Demo.Fredrik);
        await Orders.PlaceAsync(order);

        // Act
        var (current, recorded) = await Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow));

        // Assert
        Assert.False(recorded);
        Assert.Null(current.Approval);
        Assert.Equal(OrderStatus.PendingAttestation, current.Status);
    }

    [Fact]
    public async Task DecideAttestationAsync_SecondDecision_IsNotRecordedAndFirstHolds()
    {
        // Arrange
        var order = _context.NewOrder(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik, Demo.Fredrik);
        await Orders.PlaceAsync(order);
        var first = new Decision(DecisionOutcome.Approved, "attestant-1", DateTimeOffset.UtcNow, "MP-1");

        // Act
        var (_, firstRecorded) = await Orders.DecideAttestationAsync(order.OrderId, first);
        var (current, secondRecorded) = await Orders.DecideAttestationAsync(order.OrderId, new Decision(DecisionOutcome.Rejected, "attestant-2", DateTimeOffset.UtcNow, "MP-2"));

        // Assert
        Assert.True(firstRecorded);
        Assert.False(secondRecorded);
        Assert.Equal("attestant-1", current.Attestation!.By);
        Assert.Equal("MP-1", current.Attestation.Reference);
        Assert.True(current.Attestation.Approved);
    }

    [Fact]
    public async Task CancelAsync_OrderInProgress_IsRecordedWithCanceller()
    {
        // Arrange
        var order = HugoOrder();
        await Orders.PlaceAsync(order);

        // Act
        var (current, recorded) = await Orders.CancelAsync(order.OrderId, Demo.Eva);

        // Assert
        Assert.True(recorded);
        Assert.Equal(OrderStatus.Cancelled, current.Status);
        Assert.Equal(Demo.Eva, (await Orders.GetAsync(order.OrderId))!.CancelledBy);
    }

    [Theory]
    [InlineData(OrderStatus.Active)]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.Cancelled)]
    public async Task CancelAsync_FinalOrder_IsNotRecorded(OrderStatus final)
    {
        // Arrange
        var order = HugoOrder();
        await Orders.PlaceAsync(order);
        await Orders.MoveToAsync(order.OrderId, final);

        // Act
        var (current, recorded) = await Orders.CancelAsync(order.OrderId, "SE2321000131-E000000000099");

        // Assert
        Assert.False(recorded);
        Assert.Equal(final, current.Status);
        var stored = (await Orders.GetAsync(order.OrderId))!;
        Assert.Equal(final, stored.Status);
        Assert.NotEqual("SE2321000131-E000000000099", stored.CancelledBy);
    }

    [Theory]
    [InlineData(OrderStatus.Active)]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.Cancelled)]
    [InlineData(OrderStatus.Failed)]
    public async Task MoveToAsync_FromFinalStatus_NeverLeavesIt(OrderStatus final)
    {
        // Arrange
        var order = HugoOrder();
        await Orders.PlaceAsync(order);
        await Orders.MoveToAsync(order.OrderId, final);

        // Act
        var moves = new List<bool>();
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            moves.Add((await Orders.MoveToAsync(order.OrderId, status)).Recorded);
        }

        // Assert
        Assert.All(moves, Assert.False);
        Assert.Equal(final, (await Orders.GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public async Task MoveToAsync_SameStatusTwice_SecondIsNotRecorded()
    {
        // Arrange
        var order = HugoOrder();
        await Orders.PlaceAsync(order);

        // Act
        var first = await Orders.MoveToAsync(order.OrderId, OrderStatus.PendingAttestation);
        var second = await Orders.MoveToAsync(order.OrderId, OrderStatus.PendingAttestation);

        // Assert
        Assert.True(first.Recorded);
        Assert.False(second.Recorded);
        Assert.Equal(OrderStatus.PendingAttestation, second.Order.Status);
    }

    [Fact]
    public async Task TryTakeAsync_TenConcurrentTakers_ExactlyOneHoldsTheAction()
    {
        // Arrange
        var once = _context.Get<OneTimeActions>();
        var now = DateTimeOffset.UtcNow;

        // Act
        var taken = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => once.TryTakeAsync("ORD-ONCE", "approval-request|x", now)));
        await once.CompleteAsync("ORD-ONCE", "approval-request|x");

        // Assert
        Assert.Equal(1, taken.Count(t => t));
        Assert.True(await once.IsDoneAsync("ORD-ONCE", "approval-request|x"));
        Assert.False(await once.TryTakeAsync("ORD-ONCE", "approval-request|x", now + OneTimeActions.Lease + TimeSpan.FromMinutes(1)));
        Assert.False(await once.IsDoneAsync("ORD-ONCE", "approval-reminder|x"));
    }

    [Fact]
    public async Task TryTakeAsync_TakenButNeverCompleted_CanBeTakenAgainAfterTheLease()
    {
        // Arrange: a taker that died between taking and completing.
        var once = _context.Get<OneTimeActions>();
        var now = DateTimeOffset.UtcNow;
        Assert.True(await once.TryTakeAsync("ORD-CRASH", "provisioning-message", now));

        // Act
        var tooEarly = await once.TryTakeAsync("ORD-CRASH", "provisioning-message", now + TimeSpan.FromSeconds(30));
        var afterLease = await once.TryTakeAsync("ORD-CRASH", "provisioning-message", now + OneTimeActions.Lease + TimeSpan.FromSeconds(1));

        // Assert
        Assert.False(tooEarly);
        Assert.True(afterLease);
    }
}
