using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Web;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /bestallarroll in Chromium against the devhost: issue 14's story 5 (Bertil orders the orderer role for SU-AKUT, Anna
/// approves it on /godkannanden, then Bertil orders for Karin) and the form's refusals — no unit, an end before the start,
/// a unit of another administration posted by hand, a post without its token or from another site: nothing stored.
/// Story 5 undoes what it did (Karin's order cancelled, Bertil's role removed), so the other stories on the shared
/// devhost meet Bertil and Karin as the demo has them. The refusals act as Hugo, who orders no role in any story.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class OrdererRolePagesTests(PortalSite site)
{
    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Story5_BertilOrdersTheRoleForAkut_AnnaApprovesOnGodkannanden_BertilThenOrdersForKarin()
    {
        string? requestId = null;
        try
        {
            // Arrange: the page shows Bertil's administration (SU) as a tree, nothing held; on /bestall he finds no Karin.
            var page = await site.AsAsync(Demo.Bertil);
            await page.GotoAsync("/bestall");
            await page.GetByLabel("Sök person").FillAsync("Karin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sök", Exact = true }).ClickAsync();
            var before = await page.InnerTextAsync("main");
            await page.GotoAsync("/bestallarroll");
            await Browser.CheckPageAsync(page, "bestallarroll");
            var empty = await page.InnerTextAsync("main");
            var indent = await IndentsAsync(page, "SU", "SU-MED", "SU-AKUT");
            var parentOfAkut = await page.EvalOnSelectorAsync<string>("input[value='SU-AKUT']",
                "e => e.closest('li').parentElement.closest('li').querySelector('input').value");

            // Act 1: the role for the acute unit, for 30 days.
            var until = Today.AddDays(30);
            await page.GetByLabel("Akutmottagningen (SU-AKUT)").CheckAsync();
            await page.GetByLabel("Slutdatum (valfritt)").FillAsync(Iso(until));
            await site.SubmitAsync(page, "Beställ beställarrollen", 303);
            await page.WaitForURLAsync("**/bestallarroll?skickad=SDA-*");
            requestId = page.Url.Split("skickad=")[1];
            var sent = await page.InnerTextAsync("main");
            await Browser.CheckPageAsync(page, "bestallarroll-skickad");

            // Assert 1
            Assert.Contains("Ingen person du får beställa för matchar sökningen.", before, StringComparison.Ordinal);
            Assert.Contains("Du har inte beställarrollen för någon enhet.", empty, StringComparison.Ordinal);
            Assert.Contains("Beställningen skickas till din närmaste chef, Anna Andersson, för godkännande.", empty, StringComparison.Ordinal);
            Assert.Contains("Sahlgrenska Universitetssjukhuset (SU)", empty, StringComparison.Ordinal);
            Assert.Contains("Intensivvårdsavdelningen (SU-IVA)", empty, StringComparison.Ordinal);
            Assert.DoesNotContain("NU-ORTO", empty, StringComparison.Ordinal);
            Assert.True(indent[0] < indent[1] && indent[1] < indent[2], $"Not indented by level: {string.Join(", ", indent)}");
            Assert.Equal("SU-MED", parentOfAkut);
            Assert.Contains($"Beställningen {requestId} är skickad. Väntar på godkännande av närmaste chef, Anna Andersson.", sent, StringComparison.Ordinal);
            var pendingRow = await page.Locator("tr", new() { HasText = requestId }).InnerTextAsync();
            Assert.Contains("Akutmottagningen (SU-AKUT)", pendingRow, StringComparison.Ordinal);
            Assert.Contains("Till och med " + Swedish.Date(until), pendingRow, StringComparison.Ordinal);
            Assert.DoesNotContain("PendingApproval", sent, StringComparison.Ordinal);
            Assert.Contains("Beställd, inte beviljad än", await page.Locator("label", new() { HasText = "Akutmottagningen (SU-AKUT)" }).InnerTextAsync(),
                StringComparison.Ordinal);

            // Act 2: Anna — Bertil's nearest line manager (R9) — approves it on /godkannanden.
            await WaitForApprovalAsync(Demo.Anna, requestId);
            var anna = await site.AsAsync(Demo.Anna);
            await anna.GotoAsync("/godkannanden");
            var item = anna.Locator(".card", new() { HasText = "Beställarroll (SDA)" }).Filter(new() { HasText = "Bertil Berg" });
            var asked = await item.InnerTextAsync();
            await Browser.CheckPageAsync(anna, "godkannanden-bestallarroll");
            await item.GetByRole(AriaRole.Checkbox).CheckAsync();
            await anna.GetByRole(AriaRole.Button, new() { Name = "Godkänn markerade" }).ClickAsync();
            var decided = await anna.InnerTextAsync("main");

            // Assert 2: the role is Bertil's; the page lists it held and the order no longer pending.
            Assert.Contains("Akutmottagningen", asked, StringComparison.Ordinal);
            Assert.Contains("till och med " + Swedish.Date(until), asked, StringComparison.Ordinal);
            Assert.Contains("1 beslut sparade", decided, StringComparison.Ordinal);
            await WaitForHeldAsync(Demo.Bertil, "SU-AKUT");
            await page.GotoAsync("/bestallarroll");
            var held = await page.InnerTextAsync("main");
            await Browser.CheckPageAsync(page, "bestallarroll-innehar");
            var heldRow = await page.Locator("tr", new() { HasText = "Akutmottagningen (SU-AKUT)" }).InnerTextAsync();
            Assert.Contains("Gäller", heldRow, StringComparison.Ordinal);
            Assert.Contains(Swedish.Date(until), heldRow, StringComparison.Ordinal);
            Assert.Contains("Du har inga beställningar av beställarrollen som väntar.", held, StringComparison.Ordinal);
            Assert.Contains("Du har redan beställarrollen här", held, StringComparison.Ordinal);

            // Act 3: as orderer (SDA) for SU-AKUT, Bertil orders Standard for Karin on /bestall.
            await page.GotoAsync("/bestall");
            await page.GetByLabel("Sök person").FillAsync("Karin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sök", Exact = true }).ClickAsync();
            await page.GetByLabel("Karin Kvist").CheckAsync();
            await page.GetByLabel("Standard – ").CheckAsync();
            await site.SubmitAsync(page, "Granska beställningen");
            var review = await page.InnerTextAsync("main");
            await site.SubmitAsync(page, "Skicka beställningen", 303);
            await page.WaitForURLAsync("**/bestall/klar?**");
            var confirmation = await page.InnerTextAsync("main");
            var orderId = (await page.Locator("main table a").First.InnerTextAsync()).Trim();

            // Assert 3: placed, waiting for Anna (an orderer's order needs the manager, R2); then cancelled for the other stories.
            Assert.Contains("väntar på godkännande av närmaste chef, Anna Andersson", review, StringComparison.Ordinal);
            Assert.Contains("Karin Kvist", confirmation, StringComparison.Ordinal);
            Assert.Contains("Väntar på chefens godkännande", confirmation, StringComparison.Ordinal);
            var order = await EndToEnd.DevHostFlow.GetAsync(site.Host, Demo.Bertil, orderId);
            Assert.Equal((Demo.Karin, Demo.KarinNewEngagement, "Standard"), (order.IdentityId, order.EngagementId, order.Level));
            Assert.Contains(order.History, h => h.Step == "Placed" && h.Actor == Demo.Bertil);
            using var bertil = site.Host.As(Demo.Bertil);
            using var cancelled = await bertil.PostAsync($"/api/orders/{orderId}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        }
        finally
        {
            if (requestId is not null)
            {
                await RemoveRoleAsync(Demo.Bertil, Demo.Anna, requestId);
            }
        }
    }

    [Fact]
    public async Task NoUnitChosen_SwedishMessageBesideTheField_400_NothingStored()
    {
        // Arrange
        var before = await RequestRowsAsync(Demo.Hugo);
        var page = await site.AsAsync(Demo.Hugo);
        await page.GotoAsync("/bestallarroll");

        // Act
        await site.SubmitAsync(page, "Beställ beställarrollen", 400);

        // Assert
        Assert.Equal("Välj minst en enhet som beställarrollen ska gälla för (högst 50).", FieldMessage(await page.InnerTextAsync("#enheter-fel")));
        Assert.Contains("Välj minst en enhet", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.Equal("#enheter", await page.Locator(".error-summary a").First.GetAttributeAsync("href"));
        await Browser.CheckPageAsync(page, "bestallarroll-fel");
        Assert.Equal(before, await RequestRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task EndBeforeStart_MessageBesideTheEndDate_400_TheFormKeepsWhatWasChosen_NothingStored()
    {
        // Arrange
        var before = await RequestRowsAsync(Demo.Hugo);
        var page = await site.AsAsync(Demo.Hugo);
        await page.GotoAsync("/bestallarroll");
        await page.GetByLabel("Intensivvårdsavdelningen (SU-IVA)").CheckAsync();
        await page.GetByLabel("Startdatum (valfritt)").FillAsync(Iso(Today.AddDays(10)));
        await page.GetByLabel("Slutdatum (valfritt)").FillAsync(Iso(Today.AddDays(5)));

        // Act
        await site.SubmitAsync(page, "Beställ beställarrollen", 400);

        // Assert
        Assert.Equal("Slutdatum måste vara samma dag som startdatum eller senare.", FieldMessage(await page.InnerTextAsync("#slutdatum-fel")));
        Assert.Equal(0, await page.Locator("#enheter-fel, #startdatum-fel").CountAsync());
        Assert.True(await page.GetByLabel("Intensivvårdsavdelningen (SU-IVA)").IsCheckedAsync());
        Assert.Equal(Iso(Today.AddDays(10)), await page.GetByLabel("Startdatum (valfritt)").InputValueAsync());
        Assert.Equal("slutdatum-hint slutdatum-fel", await page.GetByLabel("Slutdatum (valfritt)").GetAttributeAsync("aria-describedby"));
        await Browser.CheckPageAsync(page, "bestallarroll-datumfel");
        Assert.Equal(before, await RequestRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task UnitOfAnotherAdministration_PostedByHand_Refused403BesideTheUnits_NothingStored()
    {
        // Arrange: the page offers SU's units only; a checkbox changed in the browser, and a post made by hand, send NU's.
        var before = await RequestRowsAsync(Demo.Hugo);
        var page = await site.AsAsync(Demo.Hugo);
        await page.GotoAsync("/bestallarroll");
        var offered = await page.InnerTextAsync("main");
        var box = page.GetByLabel("Intensivvårdsavdelningen (SU-IVA)");
        await box.EvaluateAsync("e => e.value = 'NU-ORTO'");
        await box.CheckAsync();
        using var client = site.Host.As(Demo.Hugo);
        var form = await PageForm.ReadAsync(client, "/bestallarroll");

        // Act
        await site.SubmitAsync(page, "Beställ beställarrollen", 403);
        using var mixed = await PageForm.PostAsync(client, "/bestallarroll", form, ("enhet", "SU-IVA"), ("enhet", "NU-ORTO"), ("startdatum", ""), ("slutdatum", ""));
        var html = await mixed.Content.ReadAsStringAsync();

        // Assert
        Assert.DoesNotContain("NU-ORTO", offered, StringComparison.Ordinal);
        Assert.Equal("Beställarrollen omfattar endast den egna förvaltningen. Enheterna NU-ORTO hör till en annan förvaltning.",
            FieldMessage(await page.InnerTextAsync("#enheter-fel")));
        await Browser.CheckPageAsync(page, "bestallarroll-annan-forvaltning");
        Assert.Equal(HttpStatusCode.Forbidden, mixed.StatusCode);
        Assert.Contains("id=\"enheter-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("hör till en annan förvaltning", html, StringComparison.Ordinal);
        Assert.Equal(before, await RequestRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task PostWithoutItsTokenOrFromAnotherSite_Refused_NothingStored()
    {
        // Arrange
        var before = await RequestRowsAsync(Demo.Hugo);
        using var client = site.Host.As(Demo.Hugo);
        var form = await PageForm.ReadAsync(client, "/bestallarroll");
        (string, string)[] fields = [("enhet", "SU-IVA"), ("startdatum", ""), ("slutdatum", "")];

        // Act: no token; then the page's own token, but sent by a page of another site.
        using var untokened = await PageForm.PostAsync(client, "/bestallarroll", null, fields);
        var crossSite = PageForm.Request("/bestallarroll", form, fields);
        crossSite.Headers.Add("Origin", "https://annan-webbplats.example");
        crossSite.Headers.Add(SameOriginPolicy.FetchSiteHeader, "cross-site");
        using var forged = await client.SendAsync(crossSite);

        // Assert: refused before anything is read (FormPosts: 400 for a missing token, 403 from another site), in Swedish.
        Assert.Equal(HttpStatusCode.BadRequest, untokened.StatusCode);
        Assert.Contains("inget har ändrats", await untokened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("från en annan webbplats", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await RequestRowsAsync(Demo.Hugo));
    }

    [Fact]
    public async Task NotSignedIn_SentToSignIn()
    {
        // Arrange
        using var anonymous = site.Host.As(null);

        // Act
        using var shown = await anonymous.GetAsync("/bestallarroll");

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, shown.StatusCode);
        Assert.Contains("bestallarroll", Uri.UnescapeDataString(shown.Headers.Location!.ToString()), StringComparison.Ordinal);
    }

    /// <summary>Clicks a form's button and waits for the answer to its post; a different status fails with what came back.</summary>

    /// <summary>The left edge of each unit's checkbox, in the order given.</summary>
    private static async Task<double[]> IndentsAsync(IPage page, params string[] unitIds)
    {
        List<double> x = [];
        foreach (var id in unitIds)
        {
            x.Add((await page.Locator($"input[name='enhet'][value='{id}']").BoundingBoxAsync())!.X);
        }

        return [.. x];
    }

    /// <summary>Waits until the order waits in the approver's queue (the lifecycle asks for the approval in an activity).</summary>
    private async Task WaitForApprovalAsync(string approver, string requestId)
    {
        using var client = site.Host.As(approver);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string body;
        do
        {
            body = await client.GetStringAsync("/api/me/approvals");
            if (JsonSerializer.Deserialize<List<ApprovalItem>>(body, JsonBody.Options)!.Any(i => i.Id == requestId))
            {
                return;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{requestId} never reached {approver}'s approvals: {body}\n{site.Host.OutputTail(40)}");
    }

    /// <summary>Waits until the holder's page lists the unit among the roles held (granted by the lifecycle after the decision).</summary>
    private async Task WaitForHeldAsync(string holder, string unitId)
    {
        using var client = site.Host.As(holder);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            var html = await client.GetStringAsync("/bestallarroll");
            var held = html.IndexOf("Enheter du har beställarrollen för", StringComparison.Ordinal);
            if (held >= 0 && html.IndexOf($"({unitId})</td>", held, StringComparison.Ordinal) > held)
            {
                return;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{holder} never held the role for {unitId}.\n{site.Host.OutputTail(40)}");
    }

    /// <summary>The rows an orderer-role order stores for its subject: the request and a claim per unit.</summary>
    private async Task<int> RequestRowsAsync(string hsaId)
    {
        var requests = new TableClient(site.Host.StorageConnectionString, site.Host.Prefix + TableNames.Requests);
        await requests.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in requests.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Undoes story 5 for the other stories (the product has no revocation of an orderer role): the request ended with
    /// its claims released, out of the approver's queue if still there, and the granted role's row gone.
    /// </summary>
    private async Task RemoveRoleAsync(string holder, string approver, string requestId)
    {
        var storage = new StorageAccount(Options.Create(new StorageOptions { ConnectionString = site.Host.StorageConnectionString, NamePrefix = site.Host.Prefix }));
        var requests = new AccessRequestRepository(storage);
        var (ended, _) = await requests.MoveToAsync(holder, requestId, AccessRequestStatus.Ended);
        await requests.ReleaseClaimsAsync(ended);
        await requests.RemovePendingAsync(approver, nameof(AccessRequestKind.OrdererRole), requestId);
        try
        {
            await storage.Table(TableNames.Identities).DeleteEntityAsync(holder, "ordererrole|" + requestId, ETag.All);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Never granted.
        }
    }

    /// <summary>A field's message as read: without the hidden "Fel:" prefix for screen readers.</summary>
    private static string FieldMessage(string text) => text.Replace("Fel:", "", StringComparison.Ordinal).Trim();

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
