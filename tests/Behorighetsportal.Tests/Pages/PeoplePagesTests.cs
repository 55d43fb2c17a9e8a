using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Web;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /min-profil, /personer?q= and /personer/{hsaId} in Chromium against the devhost: the profile's Tilldelade behörigheter
/// with their reasons (R12), the people search and a person's page (R1), issue 14's story 4 for the pages (Anna finds
/// protected Dalia; Eva finds her on no page: R10), and the one 404 for unknown and hidden people. Read-only but for
/// one scheduled delegation (Maria to Nils, from tomorrow), revoked before the test ends.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class PeoplePagesTests(PortalSite site)
{
    private const string Unknown = "SE2321000131-E999999999999";

    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Profile_Bertil_IdentityEngagementsAndAssignmentsWithReasonsInSwedish()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Bertil);

        // Act: from the menu under his name, as the source text says ("Klicka på ditt namn … Min profil")
        await page.GotoAsync("/");
        await page.Locator(".user-menu summary").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Min profil" }).ClickAsync();
        await page.WaitForURLAsync("**/min-profil");
        var main = await page.InnerTextAsync("main");
        var rows = await TableRowsAsync(page, "Tilldelade behörigheter");

        // Assert
        Assert.Contains("Bertil Berg", main, StringComparison.Ordinal);
        Assert.Contains(Demo.Bertil, main, StringComparison.Ordinal);
        Assert.Contains("Akutmottagningen (SU-AKUT)", main, StringComparison.Ordinal);
        Assert.Contains(Swedish.Date(Today.AddDays(-900)), main, StringComparison.Ordinal);
        Assert.Contains("Anna Andersson", main, StringComparison.Ordinal);
        var service = Assert.Single(rows, r => r[0] == "Användartjänst Standard");
        Assert.Equal([Swedish.Date(Today.AddDays(-900)), "Tills vidare"], service[1..3]);
        Assert.Contains("KiV", service[3], StringComparison.Ordinal);
        Assert.Contains("Engagemang " + Demo.BertilEngagement, service[3], StringComparison.Ordinal);
        Assert.Equal("Aktiv", service[4]);
        Assert.DoesNotContain("Active", main, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", main);
        await Browser.CheckPageAsync(page, "min-profil");
    }

    [Fact]
    public async Task Profile_ShowsWhatTheJsonRouteGives_OrdererRoleAndManagerRole()
    {
        // Arrange
        var eva = await site.AsAsync(Demo.Eva);
        var anna = await site.AsAsync(Demo.Anna);
        using var json = site.Host.As(Demo.Eva);
        var assignments = JsonSerializer.Deserialize<List<Assignment>>(await json.GetStringAsync("/api/me/assignments"), Behorighetsportal.Http.JsonBody.Options)!;

        // Act
        await eva.GotoAsync("/min-profil");
        var evaRows = await TableRowsAsync(eva, "Tilldelade behörigheter");
        await anna.GotoAsync("/min-profil");
        var annaRows = await TableRowsAsync(anna, "Tilldelade behörigheter");

        // Assert: one row per assignment of the JSON route, the same resources and reasons
        Assert.Equal(assignments.Select(a => a.Resource), evaRows.Select(r => r[0]));
        Assert.All(assignments.Zip(evaRows), pair => Assert.All(pair.First.Reasons, reason => Assert.Contains(reason, pair.Second[3], StringComparison.Ordinal)));
        var orderer = Assert.Single(evaRows, r => r[0] == "Beställare (SDA)");
        Assert.Contains("Enheter: SU-AKUT, SU-IVA", orderer[3], StringComparison.Ordinal);
        Assert.Equal(Swedish.Date(Today.AddDays(-100)), orderer[1]);
        Assert.Contains(annaRows, r => r is ["Chef", "–", "Tills vidare", "KiV", "Aktiv"]);
        await Browser.CheckPageAsync(eva, "min-profil-bestallare");
    }

    [Fact]
    public async Task Profile_DelegateOfAScheduledDelegation_ShowsChefDelegatedByTheManager_Kommande()
    {
        // Arrange: Maria delegates her manager role to Nils from tomorrow (no rights today; revoked below)
        using var maria = site.Host.As(Demo.Maria);
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var created = await maria.PostAsJsonAsync("/api/delegations", new { delegateId = Demo.Nils, validFrom = Iso(Today.AddDays(1)), validTo = Iso(Today.AddDays(7)) });
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        var delegationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delegationId").GetString()!;
        try
        {
            var page = await site.AsAsync(Demo.Nils);

            // Act
            await page.GotoAsync("/min-profil");
            var rows = await TableRowsAsync(page, "Tilldelade behörigheter");

            // Assert
            var chef = Assert.Single(rows, r => r[0] == "Chef");
            Assert.Equal([Swedish.Date(Today.AddDays(1)), Swedish.Date(Today.AddDays(7)), "Delegerad av Maria Mattsson", "Kommande"], chef[1..]);
            await Browser.CheckPageAsync(page, "min-profil-delegat");
        }
        finally
        {
            using var revoked = await maria.DeleteAsync("/api/delegations/" + delegationId);
        }
    }

    [Fact]
    public async Task Story4_AnnaFindsProtectedDalia_OpensHerPage_WithOrderLinkForHerEngagement()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Anna);
        await page.GotoAsync("/personer");
        await Browser.CheckPageAsync(page, "personer");

        // Act
        await page.GetByLabel("Sök person").FillAsync("dahl");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sök", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/personer?q=dahl");
        var results = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "personer-sok");
        await page.GetByRole(AriaRole.Link, new() { Name = "Dalia Dahl" }).ClickAsync();
        await page.WaitForURLAsync("**/personer/" + Demo.Dalia);
        var person = await page.InnerTextAsync("main");
        var orderLink = await page.GetByRole(AriaRole.Link, new() { Name = "Beställ användartjänst" }).GetAttributeAsync("href");
        var rows = await TableRowsAsync(page, "Tilldelade behörigheter");
        await Browser.CheckPageAsync(page, "person");

        // Assert
        Assert.Contains("1 person", results, StringComparison.Ordinal);
        Assert.Contains("Läkare, Akutmottagningen (SU-AKUT)", results, StringComparison.Ordinal);
        Assert.Equal("Dalia Dahl", await page.InnerTextAsync("h1"));
        Assert.Contains("Skyddad identitet", person, StringComparison.Ordinal);
        Assert.Contains(Demo.Dalia, person, StringComparison.Ordinal);
        Assert.Equal($"/bestall?person={Demo.Dalia}&engagement={Demo.DaliaEngagement}", orderLink);
        Assert.Contains(rows, r => r[0] == "Användartjänst Utökad" && r[4] == "Aktiv");
    }

    [Fact]
    public async Task Story4_EvaOrdererForDaliasUnit_FindsHerOnNoPage_NeitherNameNorHsaIdInTheHtml()
    {
        // Arrange: Eva's orderer role covers SU-AKUT, where Dalia works; Dalia is protected (R10).
        using var eva = site.Host.As(Demo.Eva);
        (string Query, string Nobody)[] searches = [("Dalia", "Zelda"), ("dahl", "zahl"), (Demo.Dalia, Unknown)];
        string[] searchPages = ["/personer?q=", "/bestall?q="];
        string[] otherPages = ["/personer?q=SE2321000131", "/bestall?q=SE2321000131", $"/bestall?person={Demo.Dalia}&engagement={Demo.DaliaEngagement}", "/min-profil", "/"];

        // Act
        List<(string Path, HttpStatusCode Status, string Html, string AsForNobody)> answers = [];
        foreach (var path in searchPages)
        {
            foreach (var (query, nobody) in searches)
            {
                var (status, html) = await GetAsync(eva, path + Uri.EscapeDataString(query));
                var (_, nobodys) = await GetAsync(eva, path + Uri.EscapeDataString(nobody));
                answers.Add((path + query, status, Echoless(html, query), Echoless(nobodys, nobody)));
            }
        }

        foreach (var path in otherPages)
        {
            var (status, html) = await GetAsync(eva, path);
            answers.Add((path, status, WithoutToken(html), WithoutToken(html)));
        }

        // Assert: apart from the query itself echoed in the search field, each search answers as for a name nobody has.
        Assert.All(answers, a =>
        {
            Assert.True(a.Status == HttpStatusCode.OK, $"{a.Path}: {(int)a.Status}");
            Assert.DoesNotContain("Dalia", a.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Dahl", a.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Demo.Dalia, a.Html, StringComparison.Ordinal);
            Assert.Equal(a.AsForNobody, a.Html);
        });
        var everyone = answers.Single(a => a.Path == "/personer?q=SE2321000131").Html;
        Assert.Contains(Demo.Hugo, everyone, StringComparison.Ordinal);
        Assert.Contains(Demo.Bertil, everyone, StringComparison.Ordinal);

        // Her page is the page an unknown HSA-id gets, word for word.
        var (daliaStatus, daliaHtml) = await GetAsync(eva, "/personer/" + Demo.Dalia);
        var (unknownStatus, unknownHtml) = await GetAsync(eva, "/personer/" + Unknown);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (daliaStatus, unknownStatus));
        Assert.DoesNotContain(Demo.Dalia, daliaHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("Dalia", daliaHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(WithoutToken(unknownHtml), WithoutToken(daliaHtml));
    }

    [Fact]
    public async Task PersonPage_UnknownOrOutsideTheCallersRights_TheSame404()
    {
        // Arrange: Nils works in NU; Bertil in SU.
        var page = await site.AsAsync(Demo.Nils);

        // Act
        var unknown = await page.GotoAsync("/personer/" + Unknown);
        var unknownText = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "person-finns-inte");
        var outside = await page.GotoAsync("/personer/" + Demo.Bertil);
        var outsideText = await page.InnerTextAsync("main");

        // Assert
        Assert.Equal((404, 404), (unknown!.Status, outside!.Status));
        Assert.Contains("Personen finns inte", unknownText, StringComparison.Ordinal);
        Assert.Equal(unknownText, outsideText);
        Assert.DoesNotContain("Bertil", outsideText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersonPage_EvaOpensHugo_OrderLinkOpensTheOrderFormWithHimChosen()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Eva);
        await page.GotoAsync("/personer?q=Hugo");

        // Act
        await page.GetByRole(AriaRole.Link, new() { Name = "Hugo Holm" }).ClickAsync();
        await page.WaitForURLAsync("**/personer/" + Demo.Hugo);
        var person = await page.InnerTextAsync("main");
        await page.GetByRole(AriaRole.Link, new() { Name = "Beställ användartjänst" }).ClickAsync();
        await page.WaitForURLAsync("**/bestall?**");

        // Assert
        Assert.Contains("Intensivvårdsavdelningen (SU-IVA)", person, StringComparison.Ordinal);
        Assert.Contains("Fredrik Falk", person, StringComparison.Ordinal);
        Assert.Contains("Inga användartjänster", person, StringComparison.Ordinal);
        Assert.True(await page.GetByLabel("Hugo Holm").IsCheckedAsync());
    }

    [Theory]
    [InlineData("a")]
    [InlineData(" b ")]
    public async Task Search_QueryOfOneCharacter_SwedishMessageBesideTheField_400(string q)
    {
        // Arrange
        var page = await site.AsAsync(Demo.Anna);
        await page.GotoAsync("/personer");

        // Act
        var answer = page.WaitForResponseAsync(r => r.Url.Contains("/personer?q=", StringComparison.Ordinal));
        await page.GetByLabel("Sök person").FillAsync(q);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sök", Exact = true }).ClickAsync();
        var response = await answer;
        await page.WaitForLoadStateAsync(LoadState.Load);

        // Assert
        Assert.Equal(400, response.Status);
        Assert.Equal("Skriv minst två och högst 64 tecken av ett namn eller ett HSA-id.",
            (await page.InnerTextAsync("#q-fel")).Replace("Fel:", "", StringComparison.Ordinal).Trim());
        Assert.Contains("Skriv minst två", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.Equal("q-hint q-fel", await page.GetAttributeAsync("#q", "aria-describedby"));
        Assert.Equal(0, await page.Locator(".search-results").CountAsync());
        await Browser.CheckPageAsync(page, "personer-fel");
    }

    [Fact]
    public async Task Pages_NotSignedIn_SentToSignIn()
    {
        // Arrange
        using var anonymous = site.Host.As(null);

        // Act
        using var profile = await anonymous.GetAsync("/min-profil");
        using var search = await anonymous.GetAsync("/personer?q=Anna");
        using var person = await anonymous.GetAsync("/personer/" + Demo.Anna);

        // Assert
        Assert.All([profile, search, person], r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        Assert.DoesNotContain("Anna", await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The cells of each body row of the table under the heading, as the reader reads them.</summary>
    private static async Task<List<string[]>> TableRowsAsync(IPage page, string heading)
    {
        var table = page.Locator($"h2:text-is('{heading}') + * table, h2:text-is('{heading}') + table");
        return [.. (await table.Locator("tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()))")).Select(r => r.ToArray())];
    }

    private static async Task<(HttpStatusCode Status, string Html)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A search page without the query it echoes (in the field and the "no match" line) and without its form token.</summary>
    private static string Echoless(string html, string query) => WithoutToken(html).Replace(query, "…", StringComparison.Ordinal);

    /// <summary>The page without its antiforgery token (a new one per response), which is all two 404 pages may differ by.</summary>
    private static string WithoutToken(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "value=\"[^\"]*\"", "value=\"\"");
}
