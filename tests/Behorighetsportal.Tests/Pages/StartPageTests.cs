using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Directory;
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
    public async Task Start_ManagerWithAnOrderToApprove_CountsWhatWaitsAsTheApprovalsPageLists()
    {
        // Arrange: Eva orders for Hugo over the JSON API; it waits for Fredrik, his manager
        using var eva = site.Host.As(Demo.Eva);
        using var placed = await eva.PostAsJsonAsync("/api/orders", new { identityId = Demo.Hugo, engagementId = Demo.HugoEngagement, level = "Standard", startDate = StockholmTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString()!;
        var page = await site.AsAsync(Demo.Fredrik);

        try
        {
            // Act: the workflow asks Fredrik a moment after the order is placed
            var card = page.Locator(".card a[href='/godkannanden']");
            var count = 0;
            for (var attempt = 0; attempt < 40 && count == 0; attempt++)
            {
                await Task.Delay(attempt == 0 ? 0 : 500);
                await page.GotoAsync("/");
                count = int.Parse(await card.Locator(".count").InnerTextAsync(), CultureInfo.InvariantCulture);
            }

            var cardText = await card.InnerTextAsync();
            await card.ClickAsync();
            await page.WaitForURLAsync("**/godkannanden");
            var listed = await page.Locator("input[name='item']").CountAsync();

            // Assert
            Assert.True(count >= 1, $"the start page counts {count} approvals");
            Assert.Equal(listed, count);
            Assert.Contains("att godkänna", cardText, StringComparison.Ordinal);
        }
        finally
        {
            using var cancelled = await eva.PostAsync($"/api/orders/{orderId}/cancel", null);
        }
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
