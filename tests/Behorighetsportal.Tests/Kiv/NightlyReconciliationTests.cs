using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Kiv;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Kiv;

public sealed class NightlyReconciliationTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Nightly_DemoOrganisation_GivesMissedJoinersTheirPolicyLevelAndIsIdempotent()
    {
        // Arrange: in the demo, Hugo, Cecilia, Johan (returning) and Karin (returning) match POL-SU-VARD, and
        // nothing has assigned it yet.
        await using var app = new PortalApp(_inbox);
        var today = StockholmTime.Today(TimeProvider.System);

        // Act
        var started = await NightlyReconciliationOrchestrator.StartAsync(app.Durable, today, CancellationToken.None);
        var run = await app.Durable.WaitForInstanceCompletionAsync(NightlyReconciliationOrchestrator.InstanceIdFor(today), getInputsAndOutputs: true);
        var second = await NightlyReconciliationOrchestrator.StartAsync(app.Durable, today, CancellationToken.None);

        // Assert
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var result = run.ReadOutputAs<UnitReconciled>()!;
        Assert.Equal(4, result.PolicyChanges);
        Assert.True(result.Engagements >= 14);
        // The joiners had started: their orders were activated by the run itself, many per activity, without a
        // workflow each.
        var hugoOrder = $"AUTO-{Demo.HugoEngagement}-STANDARD-{today:yyyyMMdd}";
        Assert.Equal(OrderStatus.Active, (await OrderFlow.GetAsync(app, Demo.Fredrik, hugoOrder)).Status);
        Assert.Null(await app.Durable.GetInstanceAsync(hugoOrder));
        Assert.True(started);
        Assert.False(second);

        // R6 on the returning pair: Johan's earlier service was inactivated, so Fredrik fetches a password;
        // Karin's was never ended, so Anna gets no password email for her.
        await OrderFlow.WaitForStatusAsync(app, Demo.Fredrik, $"AUTO-{Demo.JohanNewEngagement}-STANDARD-{today:yyyyMMdd}".ToUpperInvariant(), OrderStatus.Active);
        await OrderFlow.WaitForStatusAsync(app, Demo.Anna, $"AUTO-{Demo.KarinNewEngagement}-STANDARD-{today:yyyyMMdd}".ToUpperInvariant(), OrderStatus.Active);
        await _inbox.WaitForAsync(m => m.To == "fredrik.falk@example.vgregion.se" && m.Text.Contains("Johan Jansson", StringComparison.Ordinal));
        await Task.Delay(1000);
        Assert.DoesNotContain(_inbox.Messages, m => m.Text.Contains("Karin Kvist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nightly_OrderWhoseWorkflowNeverStarted_GetsOneFromWhereItStands()
    {
        // Arrange: Eva's order for Bertil was written two hours ago, and the process died before its workflow started.
        await using var app = new PortalApp(_inbox);
        var today = StockholmTime.Today(TimeProvider.System);
        var order = await PlaceWithoutWorkflowAsync(app, today);

        // Act
        await NightlyReconciliationOrchestrator.StartAsync(app.Durable, today, CancellationToken.None);
        var run = await app.Durable.WaitForInstanceCompletionAsync(NightlyReconciliationOrchestrator.InstanceIdFor(today));

        // Assert: the order has its workflow, which asks Anna for her approval.
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.NotNull(await app.Durable.GetInstanceAsync(order.OrderId));
        await OrderFlow.ApprovalEmailAsync(app, "anna.andersson@example.vgregion.se", order.OrderId);
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(app, Demo.Eva, order.OrderId)).Status);
    }

    [Fact]
    public async Task Nightly_OrderApprovedWhileItHadNoWorkflow_GoesOnToAttestation()
    {
        // Arrange: the order's workflow never started, and Anna approved it meanwhile (the decision is stored).
        await using var app = new PortalApp(_inbox);
        var today = StockholmTime.Today(TimeProvider.System);
        var order = await PlaceWithoutWorkflowAsync(app, today);
        await app.Services.GetRequiredService<OrderRepository>().DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Approved, Demo.Anna, DateTimeOffset.UtcNow.AddHours(-1)));

        // Act
        await NightlyReconciliationOrchestrator.StartAsync(app.Durable, today, CancellationToken.None);

        // Assert: the new workflow hears of the stored approval and waits for the attestation, not for the deadline.
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, order.OrderId, OrderStatus.PendingAttestation);
    }

    [Fact]
    public async Task Nightly_OnePersonsStoredDataUnreadable_TheOthersLeaversAreClosedAndTheRunReportsOneFailed()
    {
        // Arrange: leavers a KiV batch missed — Bertil (SU-AKUT) and Hugo (SU-IVA) had their last day yesterday, and
        // no end timer runs for them. In SU-AKUT too, Cecilia's engagement row holds a start date nobody can read, and
        // Eva's ends on the calendar's last day (stored before dates were checked), which used to fail her unit
        // every night.
        await using var app = new PortalApp(_inbox);
        var today = StockholmTime.Today(TimeProvider.System);
        var yesterday = today.AddDays(-1);
        foreach (var (hsaId, engagementId) in new[] { (Demo.Bertil, Demo.BertilEngagement), (Demo.Hugo, Demo.HugoEngagement) })
        {
            var engagement = (await app.Directory.GetPersonAsync(hsaId))!.FindEngagement(engagementId)!;
            await app.Directory.UpsertEngagementAsync(engagement with { EndDate = yesterday });
        }

        var identities = app.Storage.Table(TableNames.Identities);
        await identities.UpsertEntityAsync(new TableEntity(Demo.Cecilia, "engagement|" + Demo.CeciliaEngagement) { ["StartDate"] = "2026-02-30" }, TableUpdateMode.Merge);
        await identities.UpsertEntityAsync(new TableEntity(Demo.Eva, "engagement|ENG-0006") { ["EndDate"] = "9999-12-31" }, TableUpdateMode.Merge);

        // Act
        await NightlyReconciliationOrchestrator.StartAsync(app.Durable, today, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = await app.Durable.WaitForInstanceCompletionAsync(NightlyReconciliationOrchestrator.InstanceIdFor(today), getInputsAndOutputs: true, timeout.Token);

        // Assert: the run completed and counts Cecilia as its one failure; both leavers are closed.
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(1, Failed(run.SerializedOutput));
        Assert.Equal(1, Failed(run.SerializedCustomStatus));
        foreach (var engagementId in new[] { Demo.BertilEngagement, Demo.HugoEngagement })
        {
            var end = await app.Durable.WaitForInstanceCompletionAsync(EngagementEndOrchestrator.InstanceIdFor(engagementId, yesterday), getInputsAndOutputs: true, timeout.Token);
            Assert.True(end.ReadOutputAs<bool>(), engagementId);
        }

        Assert.Equal(UserServiceStatus.Inactivated, (await app.Directory.GetPersonAsync(Demo.Bertil))!.FindUserService(Demo.BertilEngagement)!.Status);

        // Eva's engagement never ends: its timer finds nothing to wait for.
        var never = await app.Durable.WaitForInstanceCompletionAsync(EngagementEndOrchestrator.InstanceIdFor("ENG-0006", DateOnly.MaxValue), getInputsAndOutputs: true, timeout.Token);
        Assert.False(never.ReadOutputAs<bool>());
    }

    /// <summary>The count of failures in a run's output or progress, as the engine wrote it.</summary>
    private static int Failed(string? json) =>
        JsonDocument.Parse(json!).RootElement.EnumerateObject().Single(p => p.Name.Equals("failed", StringComparison.OrdinalIgnoreCase)).Value.GetInt32();

    /// <summary>Eva's order for Bertil, written two hours ago by a process that died before starting its workflow.</summary>
    private static async Task<Order> PlaceWithoutWorkflowAsync(PortalApp app, DateOnly today)
    {
        var placedAt = DateTimeOffset.UtcNow.AddHours(-2);
        var order = new Order(OrderIds.NewManual(), Demo.Bertil, Demo.BertilEngagement, "Utökad", today, today, Demo.Eva, Demo.Anna,
            RequiresApproval: true, Comment: null, PlacedAt: placedAt, Status: OrderStatus.PendingApproval);
        var placed = await app.Services.GetRequiredService<OrderRepository>()
            .PlaceAsync(order, new Behorighetsportal.Audit.AuditEntry(order.OrderId, placedAt, "Placed", Demo.Eva));
        Assert.Equal(PlaceResult.Placed, placed);
        return order;
    }
}
