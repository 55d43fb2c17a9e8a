using System.Net;
using Behorighetsportal.DevHost;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// The devhost's <c>/dev/sign-in</c> (the local stand-in for App Service Authentication), in-process on Azurite: there
/// only in Development or with the demo seeded; it says who is signed in by name, signs out with a form post, goes back
/// to the local page one came from and nowhere else, and takes no post without its page's antiforgery token.
/// </summary>
public sealed class DevSignInTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task SignIn_OutsideDevelopment_MappedOnlyWithDemoSeed()
    {
        // Arrange
        await using var bare = await StartedPortal.StartAsync(_inbox, new Dictionary<string, string?> { ["environment"] = "Production", ["Demo:Seed"] = "false" });
        await using var demo = await StartedPortal.StartAsync(_inbox, new Dictionary<string, string?> { ["environment"] = "Production", ["Demo:Seed"] = "true" });
        using var bareClient = bare.As(null);
        using var demoClient = demo.As(null);

        // Act
        using var none = await bareClient.GetAsync("/dev/sign-in");
        using var cookieIgnored = await SendWithCookieAsync(bareClient, HttpMethod.Get, "/api/me", DevSignIn.Cookie + "=" + Demo.Anna);
        using var some = await demoClient.GetAsync("/dev/sign-in");

        // Assert: without either, no route and the cookie signs nobody in.
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, cookieIgnored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, some.StatusCode);
    }

    [Fact]
    public async Task SignIn_WithReturnUrl_SignsInGoesBackShowsNameAndSignsOut()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        using var browser = app.As(null);
        var signInPage = await PageForm.ReadAsync(browser, "/dev/sign-in?returnUrl=%2Fapi%2Fme");
        Assert.NotNull(signInPage);

        // Act 1: choose Anna.
        using var signedIn = await PageForm.PostAsync(browser, "/dev/sign-in", signInPage, ("hsaId", Demo.Anna), ("returnUrl", "/api/me"));

        // Assert 1: back where she came from, signed in.
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/api/me", signedIn.Headers.Location?.OriginalString);
        var session = SessionCookie(signedIn);
        using var me = await SendWithCookieAsync(browser, HttpMethod.Get, "/api/me", session);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(Demo.Anna, await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Act 2: the page says who she is.
        using var page = await SendWithCookieAsync(browser, HttpMethod.Get, "/dev/sign-in", session);
        var html = await ProblemAssert.IsPageAsync(page, HttpStatusCode.OK);

        // Assert 2
        Assert.Contains($"Inloggad som Anna Andersson ({Demo.Anna})", html, StringComparison.Ordinal);
        Assert.Contains("Logga ut", html, StringComparison.Ordinal);

        // Act 3: sign out with the page's form (its token is Anna's, its cookie beside the session's).
        var signOutForm = PageForm.From(page, html);
        Assert.NotNull(signOutForm);
        using var signOut = PageForm.Request("/dev/sign-out", signOutForm with { Cookie = signOutForm.Cookie + "; " + session });
        using var signedOut = await browser.SendAsync(signOut);

        // Assert 3: the cookie is cleared, and the page says nobody is signed in.
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        var cleared = signedOut.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DevSignIn.Cookie + "=", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        using var after = await browser.GetAsync("/dev/sign-in");
        Assert.Contains("Du är inte inloggad", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("evil.example")]
    public async Task SignIn_ReturnUrlNotALocalPath_SignsInButGoesNowhere(string returnUrl)
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        using var browser = app.As(null);
        var page = await browser.GetAsync("/dev/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var html = await page.Content.ReadAsStringAsync();
        var form = PageForm.From(page, html);
        Assert.NotNull(form);

        // Act
        using var response = await PageForm.PostAsync(browser, "/dev/sign-in", form, ("hsaId", Demo.Anna), ("returnUrl", returnUrl));

        // Assert: the page does not carry it on, and the sign-in answers with a page, not a redirect.
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
        var signedIn = await ProblemAssert.IsPageAsync(response, HttpStatusCode.OK);
        Assert.Null(response.Headers.Location);
        Assert.Contains("Inloggad som Anna Andersson", signedIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutToken_RefusedAndNoCookie()
    {
        // Arrange: a page of another site posting the sign-in form (login CSRF).
        await using var app = await StartedPortal.StartAsync(_inbox);
        using var browser = app.As(null);

        // Act
        using var response = await PageForm.PostAsync(browser, "/dev/sign-in", form: null, ("hsaId", Demo.Anna));

        // Assert
        await ProblemAssert.IsPageAsync(response, HttpStatusCode.BadRequest);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(DevSignIn.Cookie, StringComparison.Ordinal)));
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(DevSignIn.Cookie + "=", StringComparison.Ordinal));

    private static Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, HttpMethod method, string url, string cookie)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }
}
