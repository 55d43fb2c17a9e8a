using Behorighetsportal.Orders;
using Behorighetsportal.Tests.EndToEnd;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>/godkannanden in Chromium: what waits for a manager, decided on the page by the same rules as the link.</summary>
[Collection(PortalSiteCollection.Name)]
public sealed class ApprovalPagesTests(PortalSite site)
{
    /// <summary>
    /// Stories 2 and 3: Fredrik approves on /godkannanden; Eva's order page shows it in its history; Marknadsplatsen attests
    /// over HTTP; Johan's user service activates (he returns, so there is an initial password, R6); Fredrik's start page
    /// counts it, /losenord lists it, and he sees it once.
    /// </summary>
    [Fact]
    public async Task Stories2And3_FredrikApprovesOnThePage_EvaSeesTheHistory_AfterAttestationFredrikFetchesThePasswordOnce()
    {
        // Arrange: Eva (orderer for SU-IVA) orders for Johan, Fredrik's report.
        var (orderId, status) = await DevHostFlow.PlaceAsync(site.Host, Demo.Eva, Demo.Johan, Demo.JohanNewEngagement);
        Assert.Equal(OrderStatus.PendingApproval, status);
        await DevHostFlow.ApprovalEmailAsync(site.Host, site.Inbox, DevHostFlow.FredrikEmail, orderId);
        var page = await site.AsAsync(Demo.Fredrik);

        // Act
        await page.GotoAsync("/godkannanden");
        await Browser.CheckPageAsync(page, "godkannanden");
        var item = page.Locator(".card", new() { HasText = "Johan Jansson" });
        await item.GetByRole(Microsoft.Playwright.AriaRole.Checkbox).CheckAsync();
        await page.GetByLabel("Motivering").FillAsync("Behövs för sommarens schema.");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Godkänn markerade" }).ClickAsync();

        // Assert: the page says it is saved, the item is gone, and Eva's order moved on with Fredrik's decision in its history.
        Assert.Contains("1 beslut sparade", await page.InnerTextAsync("main"));
        Assert.Equal(0, await page.Locator(".card", new() { HasText = "Johan Jansson" }).CountAsync());
        var order = await DevHostFlow.WaitForStatusAsync(site.Host, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        Assert.Contains(order.History, h => h.Step == "ApprovalGiven" && h.Actor == Demo.Fredrik);

        // Story 2's end: Eva's order page shows Fredrik's approval in its timeline, in Swedish.
        var eva = await site.AsAsync(Demo.Eva);
        await eva.GotoAsync("/bestallningar/" + orderId);
        var timeline = await eva.InnerTextAsync("main");
        Assert.Contains("Chefen godkände", timeline, StringComparison.Ordinal);
        Assert.Contains("Fredrik Falk", timeline, StringComparison.Ordinal);
        Assert.Contains("Väntar på ekonomisk attest", timeline, StringComparison.Ordinal);
        Assert.DoesNotContain("ApprovalGiven", timeline, StringComparison.Ordinal);

        // Story 3: Marknadsplatsen attests over HTTP; the user service activates today.
        using (var attested = await DevHostFlow.AttestAsync(site.Host, orderId))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, attested.StatusCode);
        }

        await DevHostFlow.WaitForStatusAsync(site.Host, Demo.Eva, orderId, OrderStatus.Active);
        await DevHostFlow.PasswordEmailAsync(site.Host, site.Inbox, DevHostFlow.FredrikEmail, orderId);

        // Fredrik's start page counts the password to fetch; /losenord lists it with a link to its reveal page.
        await page.GotoAsync("/");
        var card = page.Locator(".card a[href='/losenord']");
        var waiting = int.Parse(await card.Locator(".count").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await card.ClickAsync();
        await page.WaitForURLAsync("**/losenord");
        await Browser.CheckPageAsync(page, "losenord");
        var row = page.Locator("tr", new() { HasText = "Johan Jansson" });
        Assert.Equal(waiting, await page.Locator("td a.button").CountAsync());
        Assert.Equal(1, await row.CountAsync());
        await row.GetByRole(Microsoft.Playwright.AriaRole.Link).ClickAsync();
        await page.WaitForURLAsync("**/api/passwords/**");
        var revealUrl = page.Url;
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Visa lösenordet" }).ClickAsync();
        var secret = await page.Locator("#secret").InnerTextAsync();
        await Browser.CheckPageAsync(page, "losenord-visat");

        // Once: the link opened again says it was shown and erased, and the list no longer holds it.
        await page.GotoAsync(revealUrl);
        var again = await page.InnerTextAsync("main");
        await page.GotoAsync("/losenord");
        var listAfter = await page.InnerTextAsync("main");

        Assert.True(waiting >= 1, $"the start page counts {waiting} passwords to fetch");
        Assert.False(string.IsNullOrWhiteSpace(secret));
        Assert.Contains("redan visats", again, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, again, StringComparison.Ordinal);
        Assert.DoesNotContain("Johan Jansson", listAfter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approvals_RejectWithoutReasonOrPostWithoutToken_RefusedAndNothingDecided()
    {
        // Arrange: Nils orders for himself (NU, where no other story acts); it waits for Maria, his manager.
        var (orderId, status) = await DevHostFlow.PlaceAsync(site.Host, Demo.Nils, Demo.Nils, Demo.NilsEngagement);
        Assert.Equal(OrderStatus.PendingApproval, status);
        await DevHostFlow.ApprovalEmailAsync(site.Host, site.Inbox, "maria.mattsson@example.vgregion.se", orderId);
        var page = await site.AsAsync(Demo.Maria);
        await page.GotoAsync("/godkannanden");

        // Act 1: nothing marked, no reason, Avslå.
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Avslå markerade" }).ClickAsync();

        // Assert 1: the messages beside their fields and summed up at the top; nothing decided.
        Assert.Contains("Rätta följande", await page.InnerTextAsync(".error-summary"));
        Assert.Contains("Markera minst ett ärende", await page.InnerTextAsync("#item-fel"));
        Assert.Contains("Skriv en motivering", await page.InnerTextAsync("#motivering-fel"));
        await Browser.CheckPageAsync(page, "godkannanden-fel");
        Assert.Equal(OrderStatus.PendingApproval, (await DevHostFlow.GetAsync(site.Host, Demo.Nils, orderId)).Status);

        // Act 2: the same decision posted without the page's antiforgery token.
        using var maria = site.Host.As(Demo.Maria);
        using var response = await maria.PostAsync("/godkannanden", new FormUrlEncodedContent(
            [new("item", "Order|" + orderId), new("decision", "reject"), new("motivering", "Nej")]));

        // Assert 2
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var order = await DevHostFlow.GetAsync(site.Host, Demo.Nils, orderId);
        Assert.Equal(OrderStatus.PendingApproval, order.Status);
        Assert.DoesNotContain(order.History, h => h.Step is "ApprovalGiven" or "ApprovalRefused");
    }
}
