using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Policies;

/// <summary>R5 assignment policies: the rules, and saving and previewing through the HTTP surface on the real engine.</summary>
public sealed class PolicyTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    private static readonly string[] DemoTitles = ["Sjuksköterska", "Undersköterska"];
    private static readonly DateOnly Today = new(2026, 11, 28);

    private static async Task<List<OrchestrationMetadata>> InstancesAsync(PortalApp app)
    {
        List<OrchestrationMetadata> instances = [];
        await foreach (var instance in app.Durable.GetAllInstancesAsync())
        {
            instances.Add(instance);
        }

        return instances;
    }
    private static readonly DemoOrganization Org = DemoOrganization.Load(Today);
    private static readonly OrgTree Tree = new(Org.OrgUnits);

    private static Person PersonOf(string hsaId, params UserService[] services) => new(
        Org.Identities.Single(i => i.HsaId == hsaId),
        Org.Engagements.Where(e => e.HsaId == hsaId).ToList(),
        services.Length > 0 ? services : Org.UserServices.Where(s => s.HsaId == hsaId).ToList(),
        []);

    [Fact]
    public void Evaluate_HugoWithoutUserService_GainsPolicyLevel()
    {
        // Arrange
        var hugo = PersonOf(Demo.Hugo);

        // Act
        var change = PolicyRules.Evaluate(hugo, hugo.FindEngagement(Demo.HugoEngagement)!, Org.AssignmentPolicies, Tree, Today);

        // Assert
        Assert.Equal(new PolicyChange(Demo.Hugo, Demo.HugoEngagement, PolicyChangeKind.Gain, null, "Standard", "POL-SU-VARD"), change);
    }

    [Fact]
    public void Evaluate_ManuallyOrderedOtherLevel_IsKept()
    {
        // Arrange: Bertil's Standard came from an order, and a policy now says Utökad.
        var bertil = PersonOf(Demo.Bertil, new UserService(Demo.Bertil, Demo.BertilEngagement, "Bas", UserServiceStatus.Active, Today, null, "ORD-MANUAL"));
        var policies = new[] { new AssignmentPolicy("P", "SU", "SU-MED", ["Sjuksköterska"], "Utökad") };

        // Act
        var change = PolicyRules.Evaluate(bertil, bertil.FindEngagement(Demo.BertilEngagement)!, policies, Tree, Today);

        // Assert
        Assert.Null(change);
    }

    [Fact]
    public void Evaluate_PolicyGivenServiceAndNewLevel_ChangesLevel()
    {
        // Arrange
        var bertil = PersonOf(Demo.Bertil, new UserService(Demo.Bertil, Demo.BertilEngagement, "Standard", UserServiceStatus.Active, Today, null, "AUTO-ENG-0003-STANDARD-20260101"));
        var policies = new[] { new AssignmentPolicy("P", "SU", "SU-MED", [], "Utökad") };

        // Act
        var change = PolicyRules.Evaluate(bertil, bertil.FindEngagement(Demo.BertilEngagement)!, policies, Tree, Today);

        // Assert
        Assert.Equal(PolicyChangeKind.Change, change!.Kind);
        Assert.Equal(("Standard", "Utökad"), (change.FromLevel, change.ToLevel));
    }

    [Fact]
    public void Evaluate_PolicyGivenServiceNoLongerCovered_Loses()
    {
        // Arrange
        var bertil = PersonOf(Demo.Bertil, new UserService(Demo.Bertil, Demo.BertilEngagement, "Standard", UserServiceStatus.Active, Today, null, "AUTO-ENG-0003-STANDARD-20260101"));

        // Act
        var change = PolicyRules.Evaluate(bertil, bertil.FindEngagement(Demo.BertilEngagement)!, [new AssignmentPolicy("P", "SU", "SU-IT", [], "Bas")], Tree, Today);

        // Assert
        Assert.Equal(PolicyChangeKind.Lose, change!.Kind);
    }

    [Fact]
    public void Choose_SeveralMatch_HighestPriorityWinsAndOtherAdministrationNever()
    {
        // Arrange
        var hugoEngagement = Org.Engagements.Single(e => e.EngagementId == Demo.HugoEngagement);
        var policies = new[]
        {
            new AssignmentPolicy("LOW", "SU", "SU", [], "Bas", Priority: 1),
            new AssignmentPolicy("HIGH", "SU", "SU-MED", ["sjuksköterska"], "Utökad", Priority: 5),
            new AssignmentPolicy("NU", "NU", "NU", [], "Utökad", Priority: 99),
        };

        // Act
        var chosen = PolicyRules.Choose(policies, hugoEngagement, Tree);

        // Assert
        Assert.Equal("HIGH", chosen!.PolicyId);
    }

    [Fact]
    public async Task Preview_WidenedPolicy_ShowsGainsWithoutChangingAnything()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var gunilla = app.As(Demo.Gunilla);
        var before = await gunilla.GetStringAsync("/api/policies");

        // Act: POL-SU-VARD widened to every title under SU-MED.
        var response = await gunilla.PostAsJsonAsync("/api/policies/POL-SU-VARD/preview",
            new { administration = "SU", underOrgUnitId = "SU-MED", titles = Array.Empty<string>(), level = "Standard" });

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var gains = preview.GetProperty("gain").EnumerateArray().Select(e => e.GetProperty("engagementId").GetString()).ToList();
        Assert.Contains(Demo.HugoEngagement, gains);
        Assert.Contains(Demo.CeciliaEngagement, gains);
        Assert.Equal(before, await gunilla.GetStringAsync("/api/policies"));
        Assert.Empty(await InstancesAsync(app));
    }

    [Fact]
    public async Task Preview_ProtectedIdentity_ShownWithoutNameToPolicyAdministrator()
    {
        // Arrange: Dalia (protected, Läkare) would gain Bas if the policy covered every title.
        await using var app = new PortalApp(_inbox);
        using var gunilla = app.As(Demo.Gunilla);
        await app.Directory.UpsertUserServiceAsync(new UserService(Demo.Dalia, Demo.DaliaEngagement, "Utökad", UserServiceStatus.Inactivated, null, null, null));

        // Act
        var response = await gunilla.PostAsJsonAsync("/api/policies/POL-SU-ALLA/preview",
            new { administration = "SU", underOrgUnitId = "SU-AKUT", titles = Array.Empty<string>(), level = "Bas" });
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Dalia", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Demo.Dalia, body, StringComparison.Ordinal);
        Assert.Contains("En medarbetare med skyddad identitet", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_ByPolicyAdministrator_HugoGetsPolicyLevelWithoutApprovalAndManagerGetsPasswordEmail()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var gunilla = app.As(Demo.Gunilla);

        // Act: saving the demo policy as it is re-evaluates SU-MED; Hugo has no user service yet (R5 joiner).
        var response = await gunilla.PutAsJsonAsync("/api/policies/POL-SU-VARD",
            new { administration = "SU", underOrgUnitId = "SU-MED", titles = DemoTitles, level = "Standard" });

        // Assert: the save answers at once and a durable run carries it out; Hugo has started, so his order is
        // activated by that run itself.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = (await response.Content.ReadFromJsonAsync<PolicySaved>(Behorighetsportal.Http.JsonBody.Options))!;
        Assert.Single(saved.Applied.Gain, g => g.EngagementId == Demo.HugoEngagement);
        var run = await app.Durable.WaitForInstanceCompletionAsync(saved.ReevaluationId, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var orderId = $"{PolicyRules.OrderPrefix}{Demo.HugoEngagement}-STANDARD-{StockholmTime.Today(TimeProvider.System):yyyyMMdd}".ToUpperInvariant();
        Assert.Equal(OrderStatus.Active, (await OrderFlow.GetAsync(app, Demo.Fredrik, orderId)).Status);
        var hugo = await app.Directory.GetPersonAsync(Demo.Hugo);
        var service = hugo!.FindUserService(Demo.HugoEngagement)!;
        Assert.Equal(("Standard", UserServiceStatus.Active), (service.Level, service.Status));
        await _inbox.WaitForAsync(m => m.To == "fredrik.falk@example.vgregion.se" && m.Subject == "Dags att hämta initialt lösenord");
        var history = await OrderFlow.GetAsync(app, Demo.Fredrik, orderId);
        Assert.DoesNotContain(history.History, h => h.Step is "ApprovalRequested" or "AttestationApproved");
        Assert.Contains(history.History, h => h.Actor == "tilldelningspolicy POL-SU-VARD");

        // Cecilia (starts in 14 days) waits for her start date (R4); Karin's old service keeps her password.
        var cecilia = (await InstancesAsync(app)).Single(i => i.InstanceId.Contains(Demo.CeciliaEngagement, StringComparison.Ordinal));
        Assert.Equal(OrderStatus.WaitingForStartDate, (await OrderFlow.GetAsync(app, Demo.Anna, cecilia.InstanceId)).Status);
    }

    [Fact]
    public async Task Save_ByNonAdministrator_IsForbiddenAndChangesNothing()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var anna = app.As(Demo.Anna);

        // Act
        var response = await anna.PutAsJsonAsync("/api/policies/POL-SU-VARD",
            new { administration = "SU", underOrgUnitId = "SU", titles = Array.Empty<string>(), level = "Utökad" });

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var policies = await anna.GetStringAsync("/api/policies");
        Assert.Contains("\"underOrgUnitId\":\"SU-MED\"", policies, StringComparison.Ordinal);
        Assert.Empty(await InstancesAsync(app));
    }
}
