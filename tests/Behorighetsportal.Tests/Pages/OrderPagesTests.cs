using System.Net;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Web;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /bestall, /bestallningar and /bestallningar/{orderId} in Chromium against the devhost: issue 14's story 1 (Eva orders
/// Standard for Hugo; it waits for Fredrik), several people at once (Anna for her reports), cancelling from the order page,
/// and story 8 (a missing field, a form without its token: refused, nothing stored). Each story releases the
/// engagements it ordered for (cancels), so the other page stories on the shared devhost can order for them.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class OrderPagesTests(PortalSite site)
{
    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Story1_EvaOrdersStandardForHugo_OrderPageSaysItWaitsForFredrik_ThenSheCancelsIt()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Eva);
        await page.GotoAsync("/bestall");
        await page.GetByLabel("Sök person").FillAsync("Hugo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sök", Exact = true }).ClickAsync();
        await page.GetByLabel("Hugo Holm").CheckAsync();
        await page.GetByLabel("Standard – ").CheckAsync();
        await Browser.CheckPageAsync(page, "bestall-formular");

        // Act: review, then send
        await site.SubmitAsync(page, "Granska beställningen");
        var review = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "bestall-granska");
        await site.SubmitAsync(page, "Skicka beställningen", 303);
        await page.WaitForURLAsync("**/bestall/klar?**");
        var confirmation = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "bestall-klar");
        await page.Locator("main table a").First.ClickAsync();
        await page.WaitForURLAsync("**/bestallningar/ORD-*");
        var orderPage = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "bestallning");

        // Assert
        Assert.Contains("väntar på godkännande av närmaste chef, Fredrik Falk", review, StringComparison.Ordinal);
        Assert.Contains("Ekonomisk attest görs av Marknadsplatsen", review, StringComparison.Ordinal);
        Assert.Contains("Tidigast " + Swedish.Date(Today), review, StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", confirmation, StringComparison.Ordinal);
        Assert.Contains("Väntar på chefens godkännande", confirmation, StringComparison.Ordinal);
        Assert.Contains("Väntar på chefens godkännande (Fredrik Falk)", orderPage, StringComparison.Ordinal);
        Assert.Contains("Beställd", orderPage, StringComparison.Ordinal);
        Assert.Contains("Eva Ek", orderPage, StringComparison.Ordinal);
        Assert.DoesNotContain("PendingApproval", orderPage, StringComparison.Ordinal);

        // The list shows it, filtered by status, in Swedish
        var orderUrl = page.Url;
        await page.GotoAsync("/bestallningar");
        await page.GetByLabel("Visa status").SelectOptionAsync(new SelectOptionValue { Label = "Väntar på chefens godkännande" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa" }).ClickAsync();
        var list = await page.InnerTextAsync("main");
        Assert.Contains("Hugo Holm", list, StringComparison.Ordinal);
        Assert.Contains(Swedish.Date(Today), list, StringComparison.Ordinal);
        await Browser.CheckPageAsync(page, "bestallningar");

        // Someone who may not see it gets the page an unknown number gets (R10)
        using var nils = site.Host.As(Demo.Nils);
        using var hidden = await nils.GetAsync(new Uri(orderUrl).PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Contains("Beställningen finns inte", await hidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Cancel from the order page (PRG back to it)
        await page.GotoAsync(orderUrl);
        await site.SubmitAsync(page, "Avbryt beställningen", 303);
        await page.WaitForURLAsync("**avbruten=1");
        var cancelled = await page.InnerTextAsync("main");
        Assert.Contains("Beställningen är avbruten.", cancelled, StringComparison.Ordinal);
        Assert.Contains("Avbruten", cancelled, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Avbryt beställningen" }).CountAsync());
        using var json = site.Host.As(Demo.Eva);
        var stored = await json.GetStringAsync("/api/orders/" + orderUrl.Split('/')[^1].Split('?')[0]);
        Assert.Contains("\"status\":\"Cancelled\"", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralAtOnce_AnnaOrdersForTwoReports_OneOrderEach_AndTheOneWhoHasTheLevelIsShownRefused()
    {
        // Arrange: Cecilia starts in 14 days (R4), Karin has no user service on her new engagement, Bertil has Standard already.
        var page = await site.AsAsync(Demo.Anna);
        await page.GotoAsync("/bestall");
        await page.GetByLabel("Cecilia Carlsson").CheckAsync();
        await page.GetByLabel("Karin Kvist").CheckAsync();
        await page.GetByLabel("Bertil Berg").CheckAsync();
        await page.GetByLabel("Standard – ").CheckAsync();

        // Act
        await site.SubmitAsync(page, "Granska beställningen");
        var review = await page.InnerTextAsync("main");
        await site.SubmitAsync(page, "Skicka 2 beställningar", 303);
        await page.WaitForURLAsync("**/bestall/klar?**");
        var confirmation = await page.InnerTextAsync("main");
        var links = await page.Locator("main table a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");

        // Assert
        Assert.Contains("Inget godkännande behövs", review, StringComparison.Ordinal);
        Assert.Contains($"Tidigast {Swedish.Date(Today.AddDays(14))}, när engagemanget börjar", review, StringComparison.Ordinal);
        Assert.Contains("Kan inte beställas: Bertil Berg har redan användartjänsten på nivån Standard", review, StringComparison.Ordinal);
        Assert.Contains("2 beställningar är skickade.", confirmation, StringComparison.Ordinal);
        Assert.Contains("Cecilia Carlsson", confirmation, StringComparison.Ordinal);
        Assert.Contains("Karin Kvist", confirmation, StringComparison.Ordinal);
        Assert.Contains("Väntar på ekonomisk attest", confirmation, StringComparison.Ordinal);
        Assert.Equal(2, links.Length);

        // The engagements are free again for the other stories.
        using var json = site.Host.As(Demo.Anna);
        foreach (var link in links)
        {
            using var cancelled = await json.PostAsync("/api/orders/" + link.Split('/')[^1] + "/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        }
    }

    [Fact]
    public async Task Story8_RequiredFieldMissing_SwedishMessageBesideTheField_NothingStored()
    {
        // Arrange
        var before = await OrderRowsAsync(Demo.Hugo);
        var page = await site.AsAsync(Demo.Eva);
        await page.GotoAsync($"/bestall?person={Demo.Hugo}&engagement={Demo.HugoEngagement}");

        // Act: no level chosen
        await site.SubmitAsync(page, "Granska beställningen", 400);

        // Assert
        Assert.Equal("Okänd nivå. Välj en av: Bas, Standard, Utökad.", (await page.InnerTextAsync("#niva-fel")).Replace("Fel:", "", StringComparison.Ordinal).Trim());
        Assert.Contains("Okänd nivå", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.True(await page.GetByLabel("Hugo Holm").IsCheckedAsync());
        await Browser.CheckPageAsync(page, "bestall-fel");

        // Sent straight to "skicka" (the review skipped) it is refused too, with 400 and the message beside the field.
        using var client = site.Host.As(Demo.Eva);
        var form = await PageForm.ReadAsync(client, "/bestall");
        using var response = await PageForm.PostAsync(client, "/bestall", form,
            ("val", $"{Demo.Hugo}|{Demo.HugoEngagement}"), ("niva", "Standard"), ("startdatum", ""), ("kommentar", ""), ("steg", "skicka"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"startdatum-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("Ange startdatum som ÅÅÅÅ-MM-DD", html, StringComparison.Ordinal);
        Assert.Equal(before, await OrderRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task Story8_FormPostWithoutItsToken_Refused_NothingStored()
    {
        // Arrange
        var before = await OrderRowsAsync(Demo.Hugo);
        using var client = site.Host.As(Demo.Eva);
        (string, string)[] fields = [("val", $"{Demo.Hugo}|{Demo.HugoEngagement}"), ("niva", "Standard"),
            ("startdatum", Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), ("kommentar", ""), ("steg", "skicka")];

        // Act
        using var response = await PageForm.PostAsync(client, "/bestall", null, fields);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("inget har ändrats", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await OrderRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task OrderPage_UnknownOrNotVisible_TheSame404()
    {
        // Arrange
        using var nils = site.Host.As(Demo.Nils);

        // Act
        using var unknown = await nils.GetAsync("/bestallningar/ORD-0000000000000000");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Beställningen finns inte", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Clicks a form's button and waits for the page it leads to; a refusal of the post itself fails with what came back.</summary>

    /// <summary>Hugo's rows that placing an order writes: his entries in the order index and his engagement claims.</summary>
    private async Task<int> OrderRowsAsync(string hsaId)
    {
        var index = new TableClient(Azurite.ConnectionString, site.Host.Prefix + TableNames.OrderIndex);
        var identities = new TableClient(Azurite.ConnectionString, site.Host.Prefix + TableNames.Identities);
        var count = 0;
        await index.CreateIfNotExistsAsync();
        await foreach (var _ in index.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
        {
            count++;
        }

        await foreach (var _ in identities.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
        {
            count++;
        }

        return count;
    }
}
