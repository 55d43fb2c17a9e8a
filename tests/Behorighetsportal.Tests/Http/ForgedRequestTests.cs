using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Requests a page of another site can make a signed-in person's browser send (issue 12, CSRF), against the devhost:
/// a <c>text/plain</c> form shaped as JSON, a post carrying the browser's <c>Origin</c>/<c>Sec-Fetch-Site</c> of another
/// site, and an approval form posted without the page's antiforgery token. Each is refused with Swedish problem details
/// (or a Swedish page, for a form) and changes nothing. One order waits for Fredrik's approval throughout.
/// </summary>
public sealed class ForgedRequestTests(PendingOrderFixture fixture) : IClassFixture<PendingOrderFixture>
{
    private PortalApp App => fixture.App;

    private static string Today => OrderFlow.Today();

    /// <summary>Each JSON route with a body a manager's browser could be made to send: who sends it, and the body.</summary>
    public static TheoryData<string, string, string?, string> JsonRoutes => new()
    {
        // An orderer-role order for the whole administration, placed in the manager's name (the issue's example).
        { "POST", "/api/orderer-roles", Demo.Anna, "{\"orgUnitIds\":[\"SU\"]}" },
        { "POST", "/api/orders", Demo.Eva, $"{{\"identityId\":\"{Demo.Hugo}\",\"engagementId\":\"{Demo.HugoEngagement}\",\"level\":\"Utökad\",\"startDate\":\"{Today}\"}}" },
        { "POST", "/api/delegations", Demo.Anna, $"{{\"delegateId\":\"{Demo.Bertil}\",\"validFrom\":\"{Today}\",\"validTo\":\"{Today}\"}}" },
        { "POST", "/api/amu-applications", Demo.Cecilia, "{\"groupIds\":[\"AMU-SU-AKUT-SCHEMA\"]}" },
        { "PUT", "/api/policies/POL-FORGED", Demo.Gunilla, "{\"administration\":\"SU\",\"underOrgUnitId\":\"SU-AKUT\",\"level\":\"Utökad\"}" },
        { "POST", "/api/policies/POL-FORGED/preview", Demo.Gunilla, "{\"administration\":\"SU\",\"underOrgUnitId\":\"SU-AKUT\",\"level\":\"Utökad\"}" },
        { "POST", "/api/attestations/{order}", null, "{\"decision\":\"approved\",\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}" },
        { "POST", "/api/kiv/import", null, "{\"orgUnits\":[{\"id\":\"SU-FORGED\",\"name\":\"Forged\",\"administration\":\"SU\",\"parentId\":\"SU\"}]}" },
    };

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task JsonRoute_TextPlainBodyShapedAsJson_Returns415AndStoresNothing(string method, string route, string? caller, string json)
    {
        // Arrange: what <form enctype="text/plain"> sends, a JSON object in a "name=value" pair.
        var before = await StoredState.ReadAsync(App);
        using var client = Client(route, caller);
        using var request = new HttpRequestMessage(new HttpMethod(method), Route(route))
        {
            Content = new StringContent(json, Encoding.UTF8, "text/plain"),
        };

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"a text/plain {method} {route}");
    }

    [Theory]
    [MemberData(nameof(JsonRoutes))]
    public async Task JsonRoute_BodyWithoutContentType_Returns415AndStoresNothing(string method, string route, string? caller, string json)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        using var client = Client(route, caller);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        using var request = new HttpRequestMessage(new HttpMethod(method), Route(route)) { Content = content };

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.UnsupportedMediaType);
        await before.AssertUnchangedAsync(App, $"{method} {route} without Content-Type");
    }

    [Theory]
    [InlineData("application/json-patch+json")]
    [InlineData("application/json; version=2")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task PlaceOrder_OtherContentType_Returns415AndStoresNothing(string contentType)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(Demo.Eva);
        var content = new StringContent(JsonRoutes.First(r => (string)r[1] == "/api/orders")[3].ToString()!, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        // Act
        using var response = await client.PostAsync("/api/orders", content);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.UnsupportedMediaType);
        await before.AssertUnchangedAsync(App, "an order sent as " + contentType);
    }

    [Fact]
    public async Task CancelOrder_TextPlainBody_Returns415AndOrderStillWaits()
    {
        // Arrange: a cancellation reads no body, but a form of another site sends one.
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(Demo.Eva);

        // Act
        using var response = await client.PostAsync($"/api/orders/{fixture.OrderId}/cancel", new StringContent("x=y", Encoding.UTF8, "text/plain"));

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.UnsupportedMediaType);
        await before.AssertUnchangedAsync(App, "a text/plain cancellation");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    /// <summary>What a browser says about a request that a page of another site made it send.</summary>
    public static TheoryData<string?, string?> ForeignBrowserHeaders => new()
    {
        { "cross-site", null },
        { "cross-site", "http://localhost" },
        { null, "https://evil.example" },
        { "same-origin", "https://evil.example" },
        { "same-site", null },
        { "same-site", "http://intranet.localhost" },
        { null, "null" },
        { null, "http://localhost:8080" },
        { null, "https://localhost" },
    };

    [Theory]
    [MemberData(nameof(ForeignBrowserHeaders))]
    public async Task PlaceOrder_FromAnotherSite_Returns403AndStoresNothing(string? fetchSite, string? origin)
    {
        // Arrange: a valid order Eva may place, as JSON — only where it comes from is wrong.
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(Demo.Eva);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderRequests.Valid(level: "Utökad")) };
        AddBrowserHeaders(request, fetchSite, origin);

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("annan webbplats", problem.Title, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"an order from Sec-Fetch-Site {fetchSite}, Origin {origin}");
    }

    [Theory]
    [InlineData("POST", "/api/delegations", Demo.Anna)]
    [InlineData("POST", "/api/orderer-roles", Demo.Anna)]
    [InlineData("POST", "/api/orders/{order}/cancel", Demo.Eva)]
    [InlineData("DELETE", "/api/delegations/DEL-0000000000000000", Demo.Anna)]
    [InlineData("POST", "/api/attestations/{order}", null)]
    [InlineData("POST", "/api/kiv/import", Demo.Anna)]
    public async Task StateChangingRoute_CrossSite_Returns403AndStoresNothing(string method, string route, string? caller)
    {
        // Arrange: the body each route would accept, as JSON; the browser says another site sent it.
        var before = await StoredState.ReadAsync(App);
        using var client = caller is null ? App.As(null) : App.As(caller);
        var json = JsonRoutes.FirstOrDefault(r => (string)r[1] == route)?[3] as string ?? "{}";
        using var request = new HttpRequestMessage(new HttpMethod(method), Route(route)) { Content = HttpExtensions.Json(json) };
        AddBrowserHeaders(request, "cross-site", "https://evil.example");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(App, $"a cross-site {method} {route}");
    }

    [Fact]
    public async Task ApprovalForm_WithoutToken_Returns400PageAndOrderStillWaits()
    {
        // Arrange: Fredrik, to whom the link was mailed, posts the decision as a form of another site could — no token.
        var before = await StoredState.ReadAsync(App);
        using var fredrik = App.As(Demo.Fredrik);

        // Act
        using var response = await PageForm.PostAsync(fredrik, $"/api/approvals/{fixture.Token}", form: null, ("decision", "approve"));

        // Assert
        var html = await ProblemAssert.IsPageAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("inget har ändrats", html, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an approval without its token");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    [Fact]
    public async Task ApprovalForm_TokenMadeForAnotherPerson_Returns400PageAndOrderStillWaits()
    {
        // Arrange: a token and cookie Eva got on a page of her own, sent with Fredrik's sign-in (an attacker's token).
        using var eva = App.As(Demo.Eva);
        var evasForm = await PageForm.ReadAsync(eva, "/dev/sign-in");
        Assert.NotNull(evasForm);
        var before = await StoredState.ReadAsync(App);
        using var fredrik = App.As(Demo.Fredrik);

        // Act
        using var response = await PageForm.PostAsync(fredrik, $"/api/approvals/{fixture.Token}", evasForm, ("decision", "approve"));

        // Assert
        await ProblemAssert.IsPageAsync(response, HttpStatusCode.BadRequest);
        await before.AssertUnchangedAsync(App, "an approval with another person's token");
    }

    [Fact]
    public async Task ApprovalForm_WithTokenButFromAnotherSite_Returns403PageAndOrderStillWaits()
    {
        // Arrange: the page's own token, but the browser says another site posted it.
        using var fredrik = App.As(Demo.Fredrik);
        var form = await PageForm.ReadAsync(fredrik, $"/api/approvals/{fixture.Token}");
        Assert.NotNull(form);
        var before = await StoredState.ReadAsync(App);
        using var request = PageForm.Request($"/api/approvals/{fixture.Token}", form, ("decision", "approve"));
        AddBrowserHeaders(request, "cross-site", "https://evil.example");

        // Act
        using var response = await fredrik.SendAsync(request);

        // Assert
        await ProblemAssert.IsPageAsync(response, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(App, "a cross-site approval");
    }

    [Fact]
    public async Task ApprovalForm_WithTokenAsTextPlain_Returns415PageAndOrderStillWaits()
    {
        // Arrange
        using var fredrik = App.As(Demo.Fredrik);
        var form = await PageForm.ReadAsync(fredrik, $"/api/approvals/{fixture.Token}");
        Assert.NotNull(form);
        var before = await StoredState.ReadAsync(App);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/approvals/{fixture.Token}")
        {
            Content = new StringContent($"decision=approve&{form.Field}={Uri.EscapeDataString(form.Token)}", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("Cookie", form.Cookie);

        // Act
        using var response = await fredrik.SendAsync(request);

        // Assert
        await ProblemAssert.IsPageAsync(response, HttpStatusCode.UnsupportedMediaType);
        await before.AssertUnchangedAsync(App, "a text/plain approval");
    }

    [Fact]
    public async Task ApprovalPage_MayNotBeFramed_AndItsFormCarriesAToken()
    {
        // Arrange
        using var fredrik = App.As(Demo.Fredrik);

        // Act
        using var response = await fredrik.GetAsync($"/api/approvals/{fixture.Token}");
        var html = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.NotNull(PageForm.From(response, html));
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(FormProtection.CookieName, StringComparison.Ordinal));
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The person, or (for null) the system whose route it is, with its key.</summary>
    private HttpClient Client(string route, string? caller) =>
        caller is not null ? App.As(caller) : route.StartsWith("/api/kiv/", StringComparison.Ordinal) ? App.AsKiv() : App.AsMarknadsplatsen();

    private string Route(string route) => route.Replace("{order}", fixture.OrderId, StringComparison.Ordinal);

    private static void AddBrowserHeaders(HttpRequestMessage request, string? fetchSite, string? origin)
    {
        if (fetchSite is not null)
        {
            request.Headers.Add(SameOriginPolicy.FetchSiteHeader, fetchSite);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
    }
}
