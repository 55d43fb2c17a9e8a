using System.Net;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// Orderer-role orders (R9) and AMU applications (R11) that must be refused: a Swedish problem a person can act
/// on, and nothing stored, started or sent. One devhost for the class; each test compares the stored state
/// around its own request.
/// </summary>
public sealed class AccessRequestRefusalTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalApp App => fixture.App;

    [Theory]
    [InlineData("NU-ORTO")]
    [InlineData("NU")]
    [InlineData("SU-AKUT", "NU-ORTO")]
    public async Task OrderOrdererRole_UnitOfAnotherAdministration_Returns403AndStoresNothing(params string[] units)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, Demo.Bertil, new { orgUnitIds = units });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("egna förvaltningen", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("NU", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an orderer-role order for another administration");
    }

    [Fact]
    public async Task OrderOrdererRole_MariaInNuForSuUnit_Returns403AndStoresNothing()
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, Demo.Maria, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(App, "an orderer-role order by Maria (NU) for an SU unit");
    }

    [Fact]
    public async Task OrderOrdererRole_UnknownUnit_Returns400NamingItAndStoresNothing()
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT", "SU-FINNS-INTE") });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("SU-FINNS-INTE", Assert.Single(problem.Errors("orgUnitIds")), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an orderer-role order for an unknown unit");
    }

    [Theory]
    [InlineData("{}", "orgUnitIds")]
    [InlineData("""{"orgUnitIds":[]}""", "orgUnitIds")]
    [InlineData("""{"orgUnitIds":["SU-AKUT"],"validFrom":"2026-13-01"}""", "validFrom")]
    [InlineData("""{"orgUnitIds":["SU-AKUT"],"validTo":"2001-01-01"}""", "validTo")]
    [InlineData("""{"orgUnitIds":["SU-AKUT"],"validFrom":"2099-02-01","validTo":"2099-01-01"}""", "validTo")]
    public async Task OrderOrdererRole_BadFields_Returns400NamingTheFieldAndStoresNothing(string json, string field)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var client = App.As(Demo.Bertil);
        using var content = HttpExtensions.Json(json);
        using var response = await client.PostAsync("/api/orderer-roles", content);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors(field));
        await before.AssertUnchangedAsync(App, $"an orderer-role order with a bad {field}");
    }

    [Theory]
    [InlineData("SU-AKUT")]
    [InlineData("SU-AKUT", "SU-IVA")]
    public async Task OrderOrdererRole_EvaForUnitsSheHolds_Returns409AndStoresNothing(params string[] units)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, Demo.Eva, new { orgUnitIds = units });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("finns redan", problem.Title, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an orderer-role order for units already held");
    }

    [Theory]
    [InlineData(Demo.Eva, Demo.Bertil)]
    [InlineData(Demo.Anna, Demo.Hugo)]
    [InlineData(Demo.Eva, Demo.Dalia)]
    [InlineData(Demo.Anna, "SE2321000131-E999999999999")]
    public async Task OrderOrdererRole_ForSomeoneNotOnesReport_Returns404AndStoresNothing(string caller, string identityId)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, caller, new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), identityId });

        // Assert: the same answer whether the person is unknown, protected or just not the caller's report (R10).
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain("Dalia", problem.Body, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an orderer-role order for someone not the caller's report");
    }

    [Fact]
    public async Task OrderOrdererRole_NoPrincipal_Returns401AndStoresNothing()
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, null, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
        await before.AssertUnchangedAsync(App, "an anonymous orderer-role order");
    }

    [Theory]
    [InlineData("AMU-FINNS-INTE")]
    [InlineData(RequestFlow.SchemaGroup, "AMU-FINNS-INTE")]
    public async Task ApplyAmu_UnknownGroup_Returns400NamingItAndStoresNothing(params string[] groupIds)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.ApplyAsync(App, Demo.Bertil, new { groupIds });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("AMU-FINNS-INTE", Assert.Single(problem.Errors("groupIds")), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an AMU application for an unknown group");
    }

    [Theory]
    [InlineData("{}", "groupIds")]
    [InlineData("""{"groupIds":[]}""", "groupIds")]
    [InlineData("""{"groupIds":["AMU-SU-AKUT-SCHEMA"],"motivation":"MOTIVATION"}""", "motivation")]
    public async Task ApplyAmu_BadFields_Returns400NamingTheFieldAndStoresNothing(string json, string field)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var client = App.As(Demo.Bertil);
        using var content = HttpExtensions.Json(json.Replace("MOTIVATION", new string('x', 1001), StringComparison.Ordinal));
        using var response = await client.PostAsync("/api/amu-applications", content);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors(field));
        await before.AssertUnchangedAsync(App, $"an AMU application with a bad {field}");
    }
}
