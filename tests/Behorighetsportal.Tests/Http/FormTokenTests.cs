using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.EndToEnd;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// The approval and password forms against the devhost (in-process, Azurite, SMTP on loopback): a post without the
/// page's antiforgery token is refused with a Swedish page and changes nothing; the same post with the token the page
/// was sent with does what it says. And a browser request from the portal's own origin — the request's or Portal:BaseUrl's —
/// is not taken for one of another site. Each test has a devhost of its own.
/// </summary>
public sealed class FormTokenTests : IAsyncLifetime
{
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private readonly SmtpInbox _inbox = new();
    private PortalApp _app = null!;

    public async Task InitializeAsync() => _app = await StartedPortal.StartAsync(_inbox);

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _inbox.Dispose();
    }

    [Fact]
    public async Task ApprovalForm_WithoutTokenRefused_WithThePagesTokenApproved()
    {
        // Arrange: Eva orders for Hugo; Fredrik has the link.
        var orderId = await OrderFlow.PlaceAsync(_app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var link = new Uri((await OrderFlow.ApprovalEmailAsync(_app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/")).PathAndQuery;
        await StoredState.SettledAsync(_app);
        var before = await StoredState.ReadAsync(_app);
        using var fredrik = _app.As(Demo.Fredrik);

        // Act 1: the decision without a token, as a page of another site (or a replayed request) sends it.
        using var forged = await PageForm.PostAsync(fredrik, link, form: null, ("decision", "approve"));

        // Assert 1
        await ProblemAssert.IsPageAsync(forged, HttpStatusCode.BadRequest);
        await before.AssertUnchangedAsync(_app, "an approval without a token");

        // Act 2: the page, then its form.
        var form = await PageForm.ReadAsync(fredrik, link);
        Assert.NotNull(form);
        using var approved = await PageForm.PostAsync(fredrik, link, form, ("decision", "approve"));

        // Assert 2
        var html = await ProblemAssert.IsPageAsync(approved, HttpStatusCode.OK);
        Assert.Contains("godkänt", html, StringComparison.Ordinal);
        await OrderFlow.WaitForStatusAsync(_app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
    }

    [Fact]
    public async Task PasswordForm_WithoutTokenRefusedAndNothingErased_WithThePagesTokenShown()
    {
        // Arrange: Hugo's order approved, attested and active; Fredrik is mailed the password link.
        var orderId = await OrderFlow.PlaceAsync(_app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var approval = (await OrderFlow.ApprovalEmailAsync(_app, FredrikEmail, orderId)).Link("http://localhost/api/approvals/");
        Assert.Equal(HttpStatusCode.OK, (await OrderFlow.DecideAsync(_app, Demo.Fredrik, approval, "approve")).StatusCode);
        await OrderFlow.WaitForStatusAsync(_app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        Assert.Equal(HttpStatusCode.Accepted, (await OrderFlow.AttestAsync(_app, orderId)).StatusCode);
        await OrderFlow.WaitForStatusAsync(_app, Demo.Eva, orderId, OrderStatus.Active);
        var notice = await _inbox.WaitForAsync(m => m.To == FredrikEmail && m.Subject == DevHostFlow.PasswordSubject);
        var link = new Uri(notice.Link("http://localhost/api/passwords/")).PathAndQuery;
        await StoredState.SettledAsync(_app);
        var before = await StoredState.ReadAsync(_app);
        using var fredrik = _app.As(Demo.Fredrik);

        // Act 1
        using var forged = await PageForm.PostAsync(fredrik, link, form: null, ("show", "yes"));

        // Assert 1: refused, no password on the page, and it is not erased.
        var refusal = await ProblemAssert.IsPageAsync(forged, HttpStatusCode.BadRequest);
        Assert.Null(DevHostFlow.Secret(refusal));
        await before.AssertUnchangedAsync(_app, "a password reveal without a token");

        // Act 2
        using var shown = await PageForm.SubmitAsync(fredrik, link, ("show", "yes"));

        // Assert 2
        var html = await ProblemAssert.IsPageAsync(shown, HttpStatusCode.OK);
        Assert.Equal(16, DevHostFlow.Secret(html)?.Length);
    }

    [Fact]
    public async Task PlaceOrder_FromAnotherSiteRefused_FromTheRequestsOwnOriginAccepted()
    {
        // Arrange
        var before = await StoredState.ReadAsync(_app);
        using var eva = _app.As(Demo.Eva);

        // Act 1: the same order from another site's page.
        using var forged = await eva.SendAsync(Browser("https://evil.example", "cross-site"));

        // Assert 1
        await ProblemAssert.IsAsync(forged, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(_app, "a cross-site order");

        // Act 2: from the portal's own page (charset and case as browsers and libraries vary them).
        using var own = await eva.SendAsync(Browser("http://localhost", "same-origin", "Application/JSON; Charset=UTF-8"));

        // Assert 2
        Assert.True(own.StatusCode == HttpStatusCode.Accepted, await own.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlaceOrder_OriginOfPortalBaseUrlBehindAProxy_Accepted_AnotherRefused()
    {
        // Arrange: the portal's public address is not the host the request reached (a proxy in front).
        await using var proxied = await StartedPortal.StartAsync(_inbox, new Dictionary<string, string?> { ["Portal:BaseUrl"] = "https://behorighet.example" });
        using var eva = proxied.As(Demo.Eva);
        var before = await StoredState.ReadAsync(proxied);

        // Act 1
        using var other = await eva.SendAsync(Browser("https://behorighet.example.evil", "same-site"));

        // Assert 1
        await ProblemAssert.IsAsync(other, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(proxied, "an order from another origin");

        // Act 2
        using var own = await eva.SendAsync(Browser("https://behorighet.example", "same-origin"));

        // Assert 2
        Assert.True(own.StatusCode == HttpStatusCode.Accepted, await own.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Browser(string origin, string fetchSite, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderRequests.Valid()) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("Origin", origin);
        request.Headers.Add(SameOriginPolicy.FetchSiteHeader, fetchSite);
        return request;
    }
}
