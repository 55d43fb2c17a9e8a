using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Kiv;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Durable;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Kiv;

/// <summary>
/// A KiV chunk activity that fails once after it has written its rows (the durable engine cannot be reached for a
/// moment) is retried, and the retry — which finds the rows written — still does everything they call for, once: the
/// leaver's end timer, the mover's reconciliation and the policy orders. On the real engine, Azurite and SMTP.
/// </summary>
public sealed class RetriedChunkTests : IDisposable
{
    private const string Olle = "SE2321000131-E000000000099";
    private const string Petra = "SE2321000131-E000000000098";
    private const string AnnaEmail = "anna.andersson@example.vgregion.se";
    private const string PasswordSubject = "Dags att hämta initialt lösenord";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string PolicyOrderId(string engagementId) => PolicyRules.OrderIdFor(engagementId, "Standard", Today);

    /// <summary>
    /// One chunk: Bertil leaves (last day yesterday), Hugo moves to the acute unit under Anna, and two assistant nurses
    /// join there — Olle today, Petra in a week. POL-SU-VARD gives Hugo, Olle and Petra Standard.
    /// </summary>
    private static object Batch() => new
    {
        identities = new[]
        {
            new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" },
            new { hsaId = Petra, givenName = "Petra", familyName = "Persson", email = "petra.persson@example.vgregion.se" },
        },
        engagements = new[]
        {
            new { engagementId = Demo.BertilEngagement, hsaId = Demo.Bertil, orgUnitId = "SU-AKUT", title = "Sjuksköterska", startDate = Day(-900), endDate = (string?)Day(-1), managerHsaId = Demo.Anna },
            new { engagementId = Demo.HugoEngagement, hsaId = Demo.Hugo, orgUnitId = "SU-AKUT", title = "Sjuksköterska", startDate = Day(-60), endDate = (string?)null, managerHsaId = Demo.Anna },
            new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Undersköterska", startDate = Day(0), endDate = (string?)null, managerHsaId = Demo.Anna },
            new { engagementId = "ENG-0098", hsaId = Petra, orgUnitId = "SU-AKUT", title = "Undersköterska", startDate = Day(7), endDate = (string?)null, managerHsaId = Demo.Anna },
        },
    };

    [Theory]
    [InlineData(nameof(EngagementEndOrchestrator))]
    [InlineData(nameof(OrderLifecycleOrchestrator))]
    public async Task Import_ChunkFailsOnceAfterItsWrites_LeaverMoverAndPolicyOrdersEachHandledOnce(string failingStart)
    {
        // Arrange: Fredrik has delegated to Hugo. The chunk's first start of a leaver's timer (before anything else
        // but the writes) or of a policy order's workflow (after the timer, the mover and the other orders) fails once.
        var fault = new StartFault(failingStart, times: 1);
        await using var app = new PortalApp(_inbox, services: services => services.AddSingleton<DurableTaskClient>(sp =>
            new FlakyRaiseClient(sp.GetRequiredService<IDurableTaskClientProvider>().GetClient(), new RaiseFault(), fault)));
        using var fredrik = app.As(Demo.Fredrik);
        using var delegated = await fredrik.PostAsJsonAsync("/api/delegations", new { delegateId = Demo.Hugo, validFrom = Day(0), validTo = Day(5) });
        Assert.Equal(HttpStatusCode.Accepted, delegated.StatusCode);
        var delegation = (await delegated.Content.ReadFromJsonAsync<DelegationAccepted>(Behorighetsportal.Http.JsonBody.Options))!;

        // Act
        using var kiv = app.AsKiv();
        using var response = await kiv.PostAsJsonAsync("/api/kiv/import", Batch());
        var progress = await KivImportTests.WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var end = await app.Durable.WaitForInstanceCompletionAsync(EngagementEndOrchestrator.InstanceIdFor(Demo.BertilEngagement, Today.AddDays(-1)), getInputsAndOutputs: true, timeout.Token);
        var petrasWorkflow = await InstanceAsync(app, PolicyOrderId("ENG-0098"), timeout.Token);
        await StoredState.SettledAsync(app);

        // Assert: the fault struck, and the import still completed.
        Assert.Equal(1, fault.Failed);
        Assert.Equal(KivImportStatus.Completed, progress.Status);

        // The leaver: closed by its timer, one inactivation sent to AD.
        Assert.True(end.ReadOutputAs<bool>());
        Assert.Equal(UserServiceStatus.Inactivated, (await app.Directory.GetPersonAsync(Demo.Bertil))!.FindUserService(Demo.BertilEngagement)!.Status);
        var messages = (await app.Storage.Queue(QueueNames.Provisioning).PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Single(messages, m => m.Contains("InactivateUserService", StringComparison.Ordinal) && m.Contains(Demo.BertilEngagement, StringComparison.Ordinal));

        // The mover: Fredrik's delegation to Hugo ended once, by KiV.
        var given = await app.Services.GetRequiredService<DelegationRepository>().GetGivenAsync(Demo.Fredrik, delegation.DelegationId);
        Assert.Equal(DelegationStatus.Revoked, given!.Status);
        var audit = app.Services.GetRequiredService<Behorighetsportal.Audit.AuditLog>();
        Assert.Single(await audit.ReadAsync(delegation.DelegationId), e => e.Step == "Revoked" && e.Actor == "KiV");

        // The policy orders: Hugo's and Olle's active with one password email each to Anna; Petra's waits in its workflow.
        foreach (var (engagementId, name) in new[] { (Demo.HugoEngagement, "Hugo Holm"), ("ENG-0099", "Olle Olsson") })
        {
            var order = await OrderFlow.GetAsync(app, Demo.Anna, PolicyOrderId(engagementId));
            Assert.Equal(OrderStatus.Active, order.Status);
            Assert.Single(order.History, h => h.Step == "Placed");
            Assert.Single(_inbox.Messages, m => m.To == AnnaEmail && m.Subject == PasswordSubject && m.Text.Contains(name, StringComparison.Ordinal));
        }

        Assert.Equal(OrderStatus.WaitingForStartDate, (await OrderFlow.GetAsync(app, Demo.Anna, PolicyOrderId("ENG-0098"))).Status);
        Assert.Equal(OrchestrationRuntimeStatus.Running, petrasWorkflow.RuntimeStatus);
    }

    /// <summary>The workflow once it has been started (it may not have been yet when the import completes).</summary>
    private static async Task<OrchestrationMetadata> InstanceAsync(PortalApp app, string instanceId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await app.Durable.GetInstanceAsync(instanceId, cancellationToken) is { RuntimeStatus: not OrchestrationRuntimeStatus.Pending } instance)
            {
                return instance;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
