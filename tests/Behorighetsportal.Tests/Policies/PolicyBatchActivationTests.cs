using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Kiv;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Policies;

/// <summary>
/// Policy orders whose start date has come are activated many at a time, without a workflow each
/// (ActivatePolicyOrdersActivity): on the real engine and Azurite, with email over SMTP on loopback.
/// </summary>
public sealed class PolicyBatchActivationTests : IDisposable
{
    private const string Olle = "SE2321000131-E000000000099";
    private const string OlleEmail = "olle.olsson@example.vgregion.se";
    private const string AnnaEmail = "anna.andersson@example.vgregion.se";
    private const string PasswordSubject = "Dags att hämta initialt lösenord";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string PolicyOrderId(string engagementId) =>
        $"{PolicyRules.OrderPrefix}{engagementId}-STANDARD-{Today:yyyyMMdd}";

    [Fact]
    public async Task Import_JoinerWhoHasStarted_ActiveWithPasswordEmailWhenImportCompletes_WithoutAWorkflowOfItsOwn()
    {
        // Arrange: Olle, an assistant nurse at SU-AKUT since last week (POL-SU-VARD gives Standard).
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        var batch = new
        {
            identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = OlleEmail } },
            engagements = new[] { new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Undersköterska", startDate = Day(-7), managerHsaId = Demo.Anna } },
        };

        // Act
        var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);
        var progress = await Kiv.KivImportTests.WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());

        // Assert: by the time the import is complete the order is active, the user service on, the message queued
        // and the manager told — and no workflow was started for the order.
        Assert.Equal((KivImportStatus.Completed, 1), (progress.Status, progress.PolicyChanges));
        var orderId = PolicyOrderId("ENG-0099");
        var order = await OrderFlow.GetAsync(app, Demo.Anna, orderId);
        Assert.Equal(OrderStatus.Active, order.Status);
        Assert.Equal(["Placed", "Activated", "InitialPasswordNoticeSent"], order.History.Select(h => h.Step));
        Assert.Null(await app.Durable.GetInstanceAsync(orderId));
        var service = (await app.Directory.GetPersonAsync(Olle))!.FindUserService("ENG-0099")!;
        Assert.Equal(("Standard", UserServiceStatus.Active, orderId), (service.Level, service.Status, service.OrderId));
        Assert.Single(_inbox.To(AnnaEmail), m => m.Subject == PasswordSubject);
        var messages = (await app.Storage.Queue(QueueNames.Provisioning).PeekMessagesAsync(32)).Value;
        Assert.Single(messages, m => m.Body.ToString().Contains(orderId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActivateBatch_PlacedAndActivatedTwice_EachOrderOnceAndOnePasswordForThePerson()
    {
        // Arrange: Olle has two engagements that both started, both covered by POL-SU-VARD. The chunk that placed
        // them runs twice (an activity retried), and so does the activation.
        await using var app = new PortalApp(_inbox);
        await app.Directory.UpsertIdentityAsync(new Identity(Olle, "Olle", "Olsson", OlleEmail, false));
        Engagement[] engagements =
        [
            new("ENG-0099", Olle, "SU-AKUT", "Undersköterska", Today.AddDays(-30), null, Demo.Anna),
            new("ENG-0098", Olle, "SU-IVA", "Sjuksköterska", Today.AddDays(-30), null, Demo.Anna),
        ];
        foreach (var engagement in engagements)
        {
            await app.Directory.UpsertEngagementAsync(engagement);
        }

        var first = await PlaceAsync(app, engagements);
        var second = await PlaceAsync(app, engagements);
        var activity = ActivatorUtilities.CreateInstance<ActivatePolicyOrdersActivity>(app.Services);
        var batch = new PolicyActivationBatch(first.DueNow, DateTime.UtcNow);

        // Act
        var activated = await activity.RunAsync(new TestActivityContext(nameof(ActivatePolicyOrdersActivity), "import"), batch);
        var again = await activity.RunAsync(new TestActivityContext(nameof(ActivatePolicyOrdersActivity), "import"), batch);

        // Assert: placed once, answered as due both times; both active; one password (the second engagement's
        // activation sees the first's user service, R6), one email, one provisioning message per order.
        Assert.Equal((2, 0), (first.Applied.Count, second.Applied.Count));
        Assert.Equal(first.DueNow.Order(), second.DueNow.Order());
        Assert.Equal((2, 2), (activated, again));
        var olle = (await app.Directory.GetPersonAsync(Olle))!;
        Assert.All(olle.UserServices, s => Assert.Equal(UserServiceStatus.Active, s.Status));
        Assert.Equal(2, olle.UserServices.Count);
        await _inbox.WaitForAsync(m => m.To == AnnaEmail && m.Subject == PasswordSubject);
        Assert.Single(_inbox.To(AnnaEmail), m => m.Subject == PasswordSubject);
        var messages = (await app.Storage.Queue(QueueNames.Provisioning).PeekMessagesAsync(32)).Value;
        Assert.Equal(1, messages.Count(m => m.Body.ToString().Contains(PolicyOrderId("ENG-0099"), StringComparison.Ordinal)));
        Assert.Equal(1, messages.Count(m => m.Body.ToString().Contains(PolicyOrderId("ENG-0098"), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Cancel_PolicyOrderWaitingForItsBatch_AcceptedAndTheBatchLeavesItCancelled()
    {
        // Arrange: a due policy order placed for the batch, not yet activated.
        await using var app = new PortalApp(_inbox);
        var engagement = await OlleStartedAsync(app, Today.AddDays(-2));
        var placed = await PlaceAsync(app, [engagement]);
        using var anna = app.As(Demo.Anna);

        // Act: the manager cancels it — there is no workflow to tell — and then the batch runs.
        var cancel = await anna.PostAsync($"/api/orders/{PolicyOrderId("ENG-0099")}/cancel", null);
        var activated = await ActivateAsync(app, placed.DueNow);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(0, activated);
        Assert.Equal(OrderStatus.Cancelled, (await OrderFlow.GetAsync(app, Demo.Anna, PolicyOrderId("ENG-0099"))).Status);
        Assert.Null((await app.Directory.GetPersonAsync(Olle))!.FindUserService("ENG-0099"));
    }

    [Fact]
    public async Task ActivateBatch_KivMovedTheStartMeanwhile_OrderGetsItsOwnWorkflowAndWaits()
    {
        // Arrange: placed as due, then KiV moves the start to next week before the batch runs.
        await using var app = new PortalApp(_inbox);
        var engagement = await OlleStartedAsync(app, Today.AddDays(-1));
        var placed = await PlaceAsync(app, [engagement]);
        await app.Directory.UpsertEngagementAsync(engagement with { StartDate = Today.AddDays(7) });

        // Act
        var activated = await ActivateAsync(app, placed.DueNow);

        // Assert: not active, and its own workflow now waits for the new start date (R4).
        var orderId = PolicyOrderId("ENG-0099");
        Assert.Equal(0, activated);
        Assert.NotNull(await app.Durable.WaitForInstanceStartAsync(orderId));
        Assert.Equal(OrderStatus.WaitingForStartDate, (await OrderFlow.GetAsync(app, Demo.Anna, orderId)).Status);
        Assert.Null((await app.Directory.GetPersonAsync(Olle))!.FindUserService("ENG-0099"));
    }

    [Fact]
    public async Task ActivateBatch_OneOrdersEmailFails_TheOthersGoOnAndItContinuesInAWorkflowOfItsOwn()
    {
        // Arrange: Olle's manager has an address no email can be sent to; Petra's manager is Anna. Both have started.
        await using var app = new PortalApp(_inbox);
        const string Petra = "SE2321000131-E000000000098";
        const string Bo = "SE2321000131-E000000000097";
        await app.Directory.UpsertIdentityAsync(new Identity(Bo, "Bo", "Brusten", "inte en adress", false));
        await app.Directory.UpsertIdentityAsync(new Identity(Olle, "Olle", "Olsson", OlleEmail, false));
        await app.Directory.UpsertIdentityAsync(new Identity(Petra, "Petra", "Persson", "petra.persson@example.vgregion.se", false));
        Engagement[] engagements =
        [
            new("ENG-0099", Olle, "SU-AKUT", "Undersköterska", Today.AddDays(-3), null, Bo),
            new("ENG-0098", Petra, "SU-AKUT", "Undersköterska", Today.AddDays(-3), null, Demo.Anna),
        ];
        foreach (var engagement in engagements)
        {
            await app.Directory.UpsertEngagementAsync(engagement);
        }

        var placed = await PlaceAsync(app, engagements);

        // Act
        var activated = await ActivateAsync(app, placed.DueNow);

        // Assert: Petra's order is done and Anna told; Olle's was switched on before its email failed, and its own
        // workflow now goes on with it (and retries the email).
        Assert.Equal(1, activated);
        Assert.Equal(OrderStatus.Active, (await OrderFlow.GetAsync(app, Demo.Anna, PolicyOrderId("ENG-0098"))).Status);
        await _inbox.WaitForAsync(m => m.To == AnnaEmail && m.Subject == PasswordSubject);
        Assert.Null(await app.Durable.GetInstanceAsync(PolicyOrderId("ENG-0098")));
        Assert.NotNull(await app.Durable.GetInstanceAsync(PolicyOrderId("ENG-0099")));
        Assert.Equal(UserServiceStatus.Active, (await app.Directory.GetPersonAsync(Olle))!.FindUserService("ENG-0099")!.Status);
    }

    [Fact]
    public async Task RetriedChunk_OrderPlacedBeforeTheAttemptDied_FoundAsDueAgainUntilActivated()
    {
        // Arrange: an attempt of a chunk activity wrote Olle's engagement and placed his order, then died before the
        // order reached a batch. The retry evaluates the chunk's recorded changes again.
        await using var app = new PortalApp(_inbox);
        var engagement = await OlleStartedAsync(app, Today.AddDays(-2));
        var placed = await PlaceAsync(app, [engagement]);

        // Act
        var again = await PlaceAsync(app, [engagement]);
        await ActivateAsync(app, again.DueNow);
        var afterwards = await PlaceAsync(app, [engagement]);

        // Assert: found as due (not placed twice) until it is active; then the policy has nothing left to do.
        Assert.Equal(placed.DueNow, again.DueNow);
        Assert.Empty(again.Applied);
        Assert.Empty(afterwards.DueNow);
        Assert.Empty(afterwards.Applied);
        Assert.Equal(OrderStatus.Active, (await OrderFlow.GetAsync(app, Demo.Anna, PolicyOrderId("ENG-0099"))).Status);
    }

    [Fact]
    public async Task PersonForActivation_UserServicesWrittenBeforeTheRowExisted_ReadWhole()
    {
        // Arrange: Karin has an active user service; data from before the "userservices" row existed lacks it.
        await using var app = new PortalApp(_inbox);
        await app.Storage.Table(TableNames.Identities).DeleteEntityAsync(Demo.Karin, "userservices");

        // Act
        var karin = await app.Directory.GetPersonForEngagementAsync(Demo.Karin, Demo.KarinNewEngagement);

        // Assert: read whole, so R6 sees the active user service and makes no new password.
        Assert.Contains(karin!.UserServices, s => s.Status == UserServiceStatus.Active);
    }

    /// <summary>Olle, an assistant nurse at SU-AKUT under Anna since <paramref name="start"/>, written straight to the directory.</summary>
    private static async Task<Engagement> OlleStartedAsync(PortalApp app, DateOnly start)
    {
        await app.Directory.UpsertIdentityAsync(new Identity(Olle, "Olle", "Olsson", OlleEmail, false));
        var engagement = new Engagement("ENG-0099", Olle, "SU-AKUT", "Undersköterska", start, null, Demo.Anna);
        await app.Directory.UpsertEngagementAsync(engagement);
        return engagement;
    }

    /// <summary>Runs the batch activation the way the import orchestration calls it.</summary>
    private static Task<int> ActivateAsync(PortalApp app, IReadOnlyList<string> orderIds) =>
        ActivatorUtilities.CreateInstance<ActivatePolicyOrdersActivity>(app.Services)
            .RunAsync(new TestActivityContext(nameof(ActivatePolicyOrdersActivity), "import"), new PolicyActivationBatch(orderIds, DateTime.UtcNow));

    /// <summary>What a KiV chunk does with engagements it has just written: evaluate, then place, leaving due orders for a batch.</summary>
    private static async Task<PolicyApplication> PlaceAsync(PortalApp app, IReadOnlyList<Engagement> engagements)
    {
        var engine = app.Services.GetRequiredService<PolicyEngine>();
        var evaluated = await engine.EvaluateEngagementsAsync(
            engagements.Select(e => (e, false)).ToList(),
            await app.Services.GetRequiredService<PolicyRepository>().ListAsync(), await app.Directory.GetOrgTreeAsync(), CancellationToken.None);
        return await engine.ApplyAsync(evaluated, app.Durable, batchDueNow: true, CancellationToken.None);
    }
}
