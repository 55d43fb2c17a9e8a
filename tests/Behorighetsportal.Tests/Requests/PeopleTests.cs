using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// Who the caller sees (R1, R10): search and identity lookups answer only with people the caller may act on, and a
/// protected identity the caller may not see is answered exactly as an unknown one; /api/me describes the caller.
/// Read-only: one devhost for the class, nothing may be stored by any of it.
/// </summary>
public sealed class PeopleTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Unknown = "SE2321000131-E999999999999";

    private PortalApp App => fixture.App;

    [Theory]
    [InlineData("Dalia")]
    [InlineData("dahl")]
    [InlineData(Demo.Dalia)]
    public async Task SearchIdentities_AnnaHerNearestManager_FindsProtectedDalia(string q)
    {
        // Act
        var (status, body, found) = await RequestFlow.SearchAsync(App, Demo.Anna, q);

        // Assert
        Assert.True(status == HttpStatusCode.OK, body);
        var dalia = Assert.Single(found);
        Assert.Equal((Demo.Dalia, "Dalia", "Dahl", true), (dalia.HsaId, dalia.GivenName, dalia.FamilyName, dalia.Protected));
    }

    [Theory]
    [InlineData("Dalia")]
    [InlineData("Dahl")]
    [InlineData(Demo.Dalia)]
    [InlineData("SE2321000131")]
    public async Task SearchIdentities_EvaOrdererForDaliasUnit_NeverFindsDalia(string q)
    {
        // Act
        var (status, body, found) = await RequestFlow.SearchAsync(App, Demo.Eva, q);

        // Assert
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.DoesNotContain(found, f => f.HsaId == Demo.Dalia);
        Assert.DoesNotContain("Dalia", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Dahl", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchIdentities_EvaOrdererForAkutAndIva_FindsTheirPeopleOnly()
    {
        // Act
        var (_, _, found) = await RequestFlow.SearchAsync(App, Demo.Eva, "SE2321000131");

        // Assert: the people of her units (herself included), not Gunilla (SU-MED), not NU, not Dalia.
        Assert.Equal(
            new[] { Demo.Anna, Demo.Bertil, Demo.Cecilia, Demo.Eva, Demo.Fredrik, Demo.Hugo, Demo.Karin, Demo.Johan },
            found.Select(f => f.HsaId).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task GetIdentity_EvaForProtectedDalia_Same404AsUnknownHsaId()
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var dalia = await RequestFlow.GetIdentityAsync(App, Demo.Eva, Demo.Dalia);
        using var unknown = await RequestFlow.GetIdentityAsync(App, Demo.Eva, Unknown);

        // Assert: the bodies differ in the id asked for only (and the trace id of the request).
        var daliaProblem = await ProblemAssert.IsAsync(dalia, HttpStatusCode.NotFound);
        var unknownProblem = await ProblemAssert.IsAsync(unknown, HttpStatusCode.NotFound);
        Assert.DoesNotContain("Dalia", daliaProblem.Body, StringComparison.Ordinal);
        Assert.Equal(Normalised(unknownProblem.Body, Unknown), Normalised(daliaProblem.Body, Demo.Dalia));
        Assert.Equal(unknown.Content.Headers.ContentType?.ToString(), dalia.Content.Headers.ContentType?.ToString());
        await before.AssertUnchangedAsync(App, "identity lookups");
    }

    [Fact]
    public async Task GetIdentity_AnnaForProtectedDalia_ShowsHer()
    {
        // Act
        using var response = await RequestFlow.GetIdentityAsync(App, Demo.Anna, Demo.Dalia);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var view = JsonSerializer.Deserialize<IdentityView>(body, JsonBody.Options)!;
        Assert.Equal(("Dalia", true), (view.GivenName, view.Protected));
        Assert.Equal(Demo.DaliaEngagement, Assert.Single(view.Engagements).EngagementId);
    }

    [Fact]
    public async Task SearchIdentities_MariaInNu_FindsNilsButNobodyInSu()
    {
        // Act
        var nils = await RequestFlow.SearchAsync(App, Demo.Maria, "Nils");
        var everyone = await RequestFlow.SearchAsync(App, Demo.Maria, "SE2321000131");
        var anna = await RequestFlow.SearchAsync(App, Demo.Maria, "Anna");
        using var bertil = await RequestFlow.GetIdentityAsync(App, Demo.Maria, Demo.Bertil);

        // Assert
        Assert.Equal(Demo.Nils, Assert.Single(nils.Found).HsaId);
        Assert.Equal(new[] { Demo.Maria, Demo.Nils }, everyone.Found.Select(f => f.HsaId).Order(StringComparer.Ordinal).ToArray());
        Assert.Empty(anna.Found);
        Assert.Equal(HttpStatusCode.NotFound, bertil.StatusCode);
    }

    [Fact]
    public async Task SearchIdentities_NobodyOnesOwn_FindsOnlyThemself()
    {
        // Act: Cecilia is nobody's manager nor an orderer.
        var (_, _, found) = await RequestFlow.SearchAsync(App, Demo.Cecilia, "SE2321000131");

        // Assert
        Assert.Equal(Demo.Cecilia, Assert.Single(found).HsaId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData(" b ")]
    public async Task SearchIdentities_QueryShorterThanTwo_Returns400(string q)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var client = App.As(Demo.Anna);
        using var response = await client.GetAsync("/api/identities?q=" + Uri.EscapeDataString(q));

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors("q"));
        await before.AssertUnchangedAsync(App, "a search that is too short");
    }

    [Fact]
    public async Task SearchIdentities_NoQueryParameter_Returns400()
    {
        // Act
        using var client = App.As(Demo.Anna);
        using var response = await client.GetAsync("/api/identities");

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Me_Eva_ReturnsHerWithEngagementsAndRoles()
    {
        // Act
        using var client = App.As(Demo.Eva);
        using var response = await client.GetAsync("/api/me");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var me = JsonSerializer.Deserialize<MeView>(body, JsonBody.Options)!;
        Assert.Equal((Demo.Eva, "Eva", "Ek", RequestFlow.EvaEmail), (me.HsaId, me.GivenName, me.FamilyName, me.Email));
        var engagement = Assert.Single(me.Engagements);
        Assert.Equal(("ENG-0006", "SU-AKUT", "Administratör", Demo.Anna), (engagement.EngagementId, engagement.OrgUnitId, engagement.Title, engagement.ManagerHsaId));
        Assert.Equal(("Standard", "Active"), (Assert.Single(me.UserServices).Level, me.UserServices[0].Status));
        var orderer = Assert.Single(me.Roles, r => r.Resource == "Beställare (SDA)");
        Assert.Equal(["Enheter: SU-AKUT, SU-IVA"], orderer.Reasons);
        Assert.Equal(RequestFlow.Date(RequestFlow.Today.AddDays(-100)), orderer.ValidFrom);
        Assert.DoesNotContain(me.Roles, r => r.Resource == "Chef");
        using var raw = JsonDocument.Parse(body);
        Assert.Equal("Beställare (SDA)", raw.RootElement.GetProperty("roles").EnumerateArray()
            .Select(r => r.GetProperty("resource").GetString()).Single(r => r!.StartsWith("Best", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Me_Anna_HoldsChefFromKiv()
    {
        // Act
        using var client = App.As(Demo.Anna);
        var me = JsonSerializer.Deserialize<MeView>(await client.GetStringAsync("/api/me"), JsonBody.Options)!;

        // Assert
        Assert.Equal(["KiV"], Assert.Single(me.Roles, r => r.Resource == "Chef").Reasons);
        Assert.Equal("ENG-0002", Assert.Single(me.Engagements).EngagementId);
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/api/me/approvals")]
    [InlineData("/api/me/assignments")]
    [InlineData("/api/identities?q=Anna")]
    [InlineData("/api/identities/" + Demo.Anna)]
    public async Task PeopleRoutes_NoPrincipal_Return401(string route)
    {
        // Act
        using var client = App.As(null);
        using var response = await client.GetAsync(route);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("X-MS-CLIENT-PRINCIPAL", response.Headers.WwwAuthenticate.ToString());
    }

    private static string Normalised(string problemBody, string hsaId)
    {
        var node = JsonNode.Parse(problemBody)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString().Replace(hsaId, "{hsaId}", StringComparison.Ordinal);
    }
}
