using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

[Collection(PortalSiteCollection.Name)]
public sealed class StartPageTests(PortalSite site)
{
    [Fact]
    public async Task Start_SignedIn_GreetsByNameAndShowsMenuAndPersonTopRight()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Anna);

        // Act
        var response = await page.GotoAsync("/");

        // Assert
        Assert.Equal(200, response!.Status);
        Assert.Contains("Hej Anna", await page.InnerTextAsync("main"));
        Assert.Equal("Anna Andersson", (await page.InnerTextAsync(".user-menu summary")).Replace("Inloggad som", "", StringComparison.Ordinal).Trim());
        Assert.Equal("page", await page.GetAttributeAsync("nav a[href='/']", "aria-current"));
        Assert.Equal("no-store", response.Headers["cache-control"]);
        Assert.Contains("frame-ancestors 'none'", response.Headers["content-security-policy"], StringComparison.Ordinal);
        await Browser.CheckPageAsync(page, "start");
    }

    [Fact]
    public async Task Start_NotSignedIn_SentToSignInWithTheWayBack()
    {
        // Arrange
        using var anonymous = site.Host.As(null);

        // Act
        using var response = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(site.Host.BaseUrl) }.GetAsync("/");

        // Assert
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(Uri.EscapeDataString("/"), response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
