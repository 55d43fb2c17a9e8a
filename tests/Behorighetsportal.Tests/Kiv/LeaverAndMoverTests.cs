using System.Net.Http.Json;
using Behorighetsportal.Delegations;
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

/// <summary>Leavers and movers through the KiV import route, on the real engine and Azurite.</summary>
public sealed class LeaverAndMoverTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    private static string Day(int offset) =>
        StockholmTime.Today(TimeProvider.System).AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ImportAsync(PortalApp app, object batch)
    {
        using var kiv = app.AsKiv();
        var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var importId = response.Headers.Location!.ToString().Split('/')[^1];
        var done = await app.Durable.WaitForInstanceCompletionAsync(importId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
    }

    private static object EngagementBatch(string engagementId, string hsaId, string unit, string title, string start, string? end, string? manager) =>
        new { engagements = new[] { new { engagementId, hsaId, orgUnitId = unit, title, startDate = start, endDate = end, managerHsaId = manager } } };

    [Fact]
    public async Task Leaver_EngagementEnded_InactivatesCancelsOrderEndsDelegationAndTellsOrderer()
    {
        // Arrange: Anna has delegated to Bertil; Eva has an order in progress for Bertil.
        await using var app = new PortalApp(_inbox);
        using var anna = app.As(Demo.Anna);
        var delegation = await (await anna.PostAsJsonAsync("/api/delegations", new { delegateId = Demo.Bertil, validFrom = Day(0), validTo = Day(10) }))
            .Content.ReadFromJsonAsync<DelegationAccepted>(Behorighetsportal.Http.JsonBody.Options);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Bertil, Demo.BertilEngagement, level: "Utökad");
        await OrderFlow.ApprovalEmailAsync(app, "anna.andersson@example.vgregion.se", orderId);

        // Act: KiV says Bertil's last day was yesterday.
        await ImportAsync(app, EngagementBatch(Demo.BertilEngagement, Demo.Bertil, "SU-AKUT", "Sjuksköterska", Day(-900), Day(-1), Demo.Anna));
        var end = await app.Durable.WaitForInstanceCompletionAsync(EngagementEndOrchestrator.InstanceIdFor(Demo.BertilEngagement, StockholmTime.Today(TimeProvider.System).AddDays(-1)), getInputsAndOutputs: true);

        // Assert
        Assert.True(end.ReadOutputAs<bool>());
        var bertil = await app.Directory.GetPersonAsync(Demo.Bertil);
        Assert.Equal(UserServiceStatus.Inactivated, bertil!.FindUserService(Demo.BertilEngagement)!.Status);
        Assert.Equal(OrderStatus.Cancelled, (await OrderFlow.GetAsync(app, Demo.Eva, orderId)).Status);
        await _inbox.WaitForAsync(m => m.To == "eva.ek@example.vgregion.se" && m.Subject == "Beställning avbröts");
        var given = await app.Services.GetRequiredService<DelegationRepository>().GetGivenAsync(Demo.Anna, delegation!.DelegationId);
        Assert.Equal(DelegationStatus.Revoked, given!.Status);
        var messages = await app.Storage.Queue(QueueNames.Provisioning).PeekMessagesAsync(32);
        Assert.Contains(messages.Value, m => m.Body.ToString().Contains("InactivateUserService", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mover_NewManager_DelegationFromOldManagerEnds()
    {
        // Arrange: Fredrik delegates to Hugo; then Hugo moves to SU-AKUT under Anna.
        await using var app = new PortalApp(_inbox);
        using var fredrik = app.As(Demo.Fredrik);
        var delegation = await (await fredrik.PostAsJsonAsync("/api/delegations", new { delegateId = Demo.Hugo, validFrom = Day(0), validTo = Day(5) }))
            .Content.ReadFromJsonAsync<DelegationAccepted>(Behorighetsportal.Http.JsonBody.Options);

        // Act
        await ImportAsync(app, EngagementBatch(Demo.HugoEngagement, Demo.Hugo, "SU-AKUT", "Sjuksköterska", Day(-60), null, Demo.Anna));

        // Assert
        var given = await app.Services.GetRequiredService<DelegationRepository>().GetGivenAsync(Demo.Fredrik, delegation!.DelegationId);
        Assert.Equal(DelegationStatus.Revoked, given!.Status);
        Assert.Contains(await app.Services.GetRequiredService<Behorighetsportal.Audit.AuditLog>().ReadAsync(delegation.DelegationId), e => e.Step == "Revoked" && e.Actor == "KiV");
    }

    [Fact]
    public async Task Mover_ToAnotherAdministration_OrdererRoleEnds()
    {
        // Arrange: Eva is orderer for SU-AKUT and SU-IVA.
        await using var app = new PortalApp(_inbox);

        // Act: Eva moves to NU.
        await ImportAsync(app, EngagementBatch("ENG-0006", Demo.Eva, "NU-ORTO", "Administratör", Day(-800), null, Demo.Maria));

        // Assert
        var eva = await app.Directory.GetPersonAsync(Demo.Eva);
        Assert.All(eva!.OrdererRoles, role => Assert.False(role.IsValidOn(StockholmTime.Today(TimeProvider.System))));
        using var client = app.As(Demo.Eva);
        var refused = await client.PostAsJsonAsync("/api/orders", new { identityId = Demo.Cecilia, engagementId = Demo.CeciliaEngagement, level = "Bas", startDate = Day(0) });
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
