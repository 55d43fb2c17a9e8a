using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Web;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /delegeringar in Chromium against the devhost: issue 14's story 4 (Anna delegates the manager role to Bertil for two
/// weeks; Bertil's start page and his /delegeringar show it; Anna revokes it), and the form's refusals — a missing field,
/// an end before the start, someone who is not the manager's report, a post without its token — each storing nothing.
/// Every delegation a test makes is revoked before it ends, so the other page stories on the shared devhost meet the
/// demo organisation's manager roles as seeded.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class DelegationPagesTests(PortalSite site)
{
    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Story4_AnnaDelegatesToBertilForTwoWeeks_BertilSeesTheRole_AnnaRevokesIt()
    {
        // Arrange
        await RevokeCurrentAsync(Demo.Anna, Demo.Bertil);
        var from = Today;
        var to = Today.AddDays(13);
        var anna = await site.AsAsync(Demo.Anna);
        await anna.GotoAsync("/delegeringar");
        await Browser.CheckPageAsync(anna, "delegeringar-formular");
        Assert.Equal(Iso(from), await anna.GetByLabel("Startdatum").InputValueAsync());

        try
        {
            // Act 1: Anna delegates on the page (PRG back to the list).
            await anna.GetByLabel("Medarbetare").SelectOptionAsync(new SelectOptionValue { Label = "Bertil Berg" });
            await anna.GetByLabel("Slutdatum").FillAsync(Iso(to));
            await site.SubmitAsync(anna, "Delegera chefsrollen", 303);
            await anna.WaitForURLAsync("**/delegeringar?delegerad=*");
            var given = await anna.InnerTextAsync("main");
            await Browser.CheckPageAsync(anna, "delegeringar-delegerad");

            // Assert 1
            Assert.Contains("Chefsrollen är delegerad.", given, StringComparison.Ordinal);
            var row = anna.Locator("table tr", new() { HasText = "Bertil Berg" });
            Assert.Equal(1, await row.CountAsync());
            var rowText = await row.InnerTextAsync();
            Assert.Contains(Swedish.Date(from), rowText, StringComparison.Ordinal);
            Assert.Contains(Swedish.Date(to), rowText, StringComparison.Ordinal);
            Assert.Matches("Planerad|Pågår", rowText);
            Assert.DoesNotContain("Scheduled", given, StringComparison.Ordinal);
            var delegationId = Uri.UnescapeDataString(anna.Url.Split("delegerad=")[1]);
            Assert.Equal("Active", await WaitForStatusAsync(Demo.Anna, delegationId, "Active"));

            // Act 2: Bertil signs in.
            var bertil = await site.AsAsync(Demo.Bertil);
            await bertil.GotoAsync("/");
            var start = await bertil.InnerTextAsync("main");
            await Browser.CheckPageAsync(bertil, "start-delegat");
            await bertil.GotoAsync("/delegeringar");
            var received = await bertil.InnerTextAsync("main");
            await Browser.CheckPageAsync(bertil, "delegeringar-mottagen");
            await bertil.GotoAsync("/min-profil");
            var profileRow = await bertil.Locator("tr", new() { HasText = "Delegerad av" }).InnerTextAsync();
            await Browser.CheckPageAsync(bertil, "min-profil-delegat");

            // As Anna's delegate Bertil finds Dalia (protected: R10 lets the manager's active delegate see her); Eva does not.
            await bertil.GotoAsync("/personer?q=Dalia");
            var bertilsSearch = await bertil.InnerTextAsync("main");
            var eva = await site.AsAsync(Demo.Eva);
            await eva.GotoAsync("/personer?q=Dalia");
            var evasSearch = await eva.ContentAsync();

            // Assert 2
            Assert.Contains("Chef (delegerad)", start, StringComparison.Ordinal);
            Assert.Contains("Chef", profileRow, StringComparison.Ordinal);
            Assert.Contains("Delegerad av Anna Andersson", profileRow, StringComparison.Ordinal);
            Assert.Contains("Dalia Dahl", bertilsSearch, StringComparison.Ordinal);
            Assert.DoesNotContain("Dahl", evasSearch, StringComparison.Ordinal);
            Assert.DoesNotContain(Demo.Dalia, evasSearch, StringComparison.Ordinal);
            Assert.Contains("Delegerad av Anna Andersson", received, StringComparison.Ordinal);
            Assert.Contains("Pågår", received, StringComparison.Ordinal);
            Assert.Contains($"{Swedish.Date(from)}", received, StringComparison.Ordinal);
            Assert.Contains("du har ingen chefsroll att delegera", received, StringComparison.Ordinal);
            Assert.Equal(0, await bertil.GetByRole(AriaRole.Button, new() { Name = "Återkalla" }).CountAsync());

            // Act 3: Anna revokes it from the list (PRG back to it).
            await anna.GotoAsync("/delegeringar");
            await site.SubmitAsync(anna, "Återkalla delegeringen till Bertil Berg", 303);
            await anna.WaitForURLAsync("**/delegeringar?aterkallad=*");
            var revoked = await anna.InnerTextAsync("main");
            await Browser.CheckPageAsync(anna, "delegeringar-aterkallad");
            await bertil.GotoAsync("/");
            var startAfter = await bertil.InnerTextAsync("main");

            // Assert 3: the page says so, the row reads Återkallad with nothing left to revoke, and Bertil's role is gone.
            Assert.Contains("Delegeringen är återkallad.", revoked, StringComparison.Ordinal);
            Assert.Contains("Återkallad", await anna.Locator("table tr", new() { HasText = "Bertil Berg" }).InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await anna.GetByRole(AriaRole.Button, new() { Name = "Återkalla" }).CountAsync());
            Assert.DoesNotContain("Chef (delegerad)", startAfter, StringComparison.Ordinal);
            Assert.Equal("Revoked", await StatusAsync(Demo.Anna, delegationId));
        }
        finally
        {
            await RevokeCurrentAsync(Demo.Anna, Demo.Bertil);
        }
    }

    [Fact]
    public async Task Form_RequiredFieldsMissing_OrEndBeforeStart_SwedishMessageBesideTheField_400_NothingStored()
    {
        // Arrange: Fredrik (manager of Hugo and Johan), whom no other delegation story uses.
        var before = await DelegationRowsAsync(Demo.Fredrik, Demo.Hugo);
        var page = await site.AsAsync(Demo.Fredrik);
        await page.GotoAsync("/delegeringar");

        // Act 1: no one chosen, no end date.
        await site.SubmitAsync(page, "Delegera chefsrollen", 400);

        // Assert 1
        Assert.Equal("Välj den medarbetare du delegerar chefsrollen till.", await FieldMessageAsync(page, "delegat"));
        Assert.Equal("Ange slutdatum som ÅÅÅÅ-MM-DD. Delegering kräver både start- och slutdatum.", await FieldMessageAsync(page, "slutdatum"));
        Assert.Equal(0, await page.Locator("#startdatum-fel").CountAsync());
        Assert.Contains("Välj den medarbetare", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        await Browser.CheckPageAsync(page, "delegeringar-fel");

        // Act 2: Hugo chosen, the end before the start.
        await page.GetByLabel("Medarbetare").SelectOptionAsync(new SelectOptionValue { Label = "Hugo Holm" });
        await page.GetByLabel("Startdatum").FillAsync(Iso(Today.AddDays(5)));
        await page.GetByLabel("Slutdatum").FillAsync(Iso(Today.AddDays(2)));
        await site.SubmitAsync(page, "Delegera chefsrollen", 400);

        // Assert 2: the message beside the end date, what was sent kept in the form.
        Assert.Equal("Slutdatum måste vara samma dag som startdatum eller senare.", await FieldMessageAsync(page, "slutdatum"));
        Assert.Equal(0, await page.Locator("#delegat-fel").CountAsync());
        Assert.Equal(Demo.Hugo, await page.GetByLabel("Medarbetare").InputValueAsync());
        Assert.Equal(Iso(Today.AddDays(5)), await page.GetByLabel("Startdatum").InputValueAsync());
        await Browser.CheckPageAsync(page, "delegeringar-fel-slutdatum");
        Assert.Equal(before, await DelegationRowsAsync(Demo.Fredrik, Demo.Hugo));
    }

    [Fact]
    public async Task Form_ToSomeoneNotTheirReport_Refused403WithMessage_NothingStored()
    {
        // Arrange: Bertil is Anna's report, not Fredrik's; the list offers only Fredrik's own, so the page is made to send him.
        var before = await DelegationRowsAsync(Demo.Fredrik, Demo.Bertil);
        var page = await site.AsAsync(Demo.Fredrik);
        await page.GotoAsync("/delegeringar");
        Assert.Equal(0, await page.Locator($"#delegat option[value='{Demo.Bertil}']").CountAsync());
        await page.EvaluateAsync("id => document.querySelector('#delegat option:last-child').value = id", Demo.Bertil);
        await page.GetByLabel("Medarbetare").SelectOptionAsync(Demo.Bertil);
        await page.GetByLabel("Slutdatum").FillAsync(Iso(Today.AddDays(7)));

        // Act
        await site.SubmitAsync(page, "Delegera chefsrollen", 403);

        // Assert
        Assert.Equal("Du kan bara delegera chefsrollen till en medarbetare som du är närmaste chef för. Välj en av dina medarbetare.",
            await FieldMessageAsync(page, "delegat"));
        await Browser.CheckPageAsync(page, "delegeringar-inte-medarbetare");
        Assert.Equal(before, await DelegationRowsAsync(Demo.Fredrik, Demo.Bertil));

        // Someone who manages no one (Bertil) is told so, with no form to send.
        var bertilBefore = await DelegationRowsAsync(Demo.Bertil, Demo.Cecilia);
        using var bertil = site.Host.As(Demo.Bertil);
        using var refused = await PageForm.SubmitAsync(bertil, "/delegeringar",
            ("delegat", Demo.Cecilia), ("startdatum", Iso(Today)), ("slutdatum", Iso(Today.AddDays(7))));
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Bara chefer kan delegera chefsrollen.", html, StringComparison.Ordinal);
        Assert.Equal(bertilBefore, await DelegationRowsAsync(Demo.Bertil, Demo.Cecilia));
    }

    [Fact]
    public async Task Forms_PostedWithoutTheirTokenOrFromAnotherSite_Refused_NothingStoredOrRevoked()
    {
        // Arrange: a delegation a month ahead (it never gives Hugo a right while the stories run), to try revoking.
        var before = await DelegationRowsAsync(Demo.Fredrik, Demo.Hugo);
        using var fredrik = site.Host.As(Demo.Fredrik);
        (string, string)[] fields = [("delegat", Demo.Hugo), ("startdatum", Iso(Today.AddDays(30))), ("slutdatum", Iso(Today.AddDays(35)))];
        var form = await PageForm.ReadAsync(fredrik, "/delegeringar");
        Assert.NotNull(form);

        // Act 1: the delegation form without its token, and with it but from another site.
        using var noToken = await PageForm.PostAsync(fredrik, "/delegeringar", null, fields);
        var crossSiteRequest = PageForm.Request("/delegeringar", form, fields);
        crossSiteRequest.Headers.Add("Origin", "https://elak.example");
        crossSiteRequest.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSite = await fredrik.SendAsync(crossSiteRequest);

        // Assert 1: refused before anything is read (FormPosts: 400 for the token, 403 for another site), nothing stored.
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("inget har ändrats", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(before, await DelegationRowsAsync(Demo.Fredrik, Demo.Hugo));

        // Act 2: the same form with its token is accepted; its revocation is then posted without the token.
        string? delegationId = null;
        try
        {
            using var created = await PageForm.PostAsync(fredrik, "/delegeringar", form, fields);
            Assert.True(created.StatusCode == HttpStatusCode.SeeOther, $"{(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            delegationId = Uri.UnescapeDataString(created.Headers.Location!.ToString().Split("delegerad=")[1]);
            // What the "nothing stored" counts above read is what the form writes: Fredrik's row and Hugo's.
            Assert.Equal(before + 2, await DelegationRowsAsync(Demo.Fredrik, Demo.Hugo));
            using var revokeNoToken = await PageForm.PostAsync(fredrik, $"/delegeringar/{delegationId}/aterkalla", null);

            // Assert 2: still planned.
            Assert.Equal(HttpStatusCode.BadRequest, revokeNoToken.StatusCode);
            Assert.Equal("Scheduled", await StatusAsync(Demo.Fredrik, delegationId));

            // Someone else's delegation (or an unknown one) is not found, and stays as it was.
            using var anna = site.Host.As(Demo.Anna);
            using var notHers = await PageForm.SubmitAsync(anna, $"/delegeringar/{delegationId}/aterkalla");
            Assert.Equal(HttpStatusCode.NotFound, notHers.StatusCode);
            Assert.Contains("Delegeringen finns inte", await notHers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("Scheduled", await StatusAsync(Demo.Fredrik, delegationId));

            // With its token it is revoked (PRG back to the list).
            using var revoked = await PageForm.SubmitAsync(fredrik, $"/delegeringar/{delegationId}/aterkalla");
            Assert.Equal(HttpStatusCode.SeeOther, revoked.StatusCode);
            Assert.StartsWith("/delegeringar?aterkallad=", revoked.Headers.Location!.ToString(), StringComparison.Ordinal);
            Assert.Equal("Revoked", await StatusAsync(Demo.Fredrik, delegationId));
        }
        finally
        {
            await RevokeCurrentAsync(Demo.Fredrik, Demo.Hugo);
        }
    }

    [Fact]
    public async Task DelegationsPage_NotSignedIn_SentToSignIn()
    {
        // Arrange
        using var anonymous = site.Host.As(null);

        // Act
        using var response = await anonymous.GetAsync("/delegeringar");

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(Uri.EscapeDataString("/delegeringar"), response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Clicks a form's button and waits for the page it leads to; a refusal of the post itself fails with what came back.</summary>

    /// <summary>The message beside a field, without its hidden "Fel:" prefix.</summary>
    private static async Task<string> FieldMessageAsync(IPage page, string field) =>
        (await page.InnerTextAsync($"#{field}-fel")).Replace("Fel:", "", StringComparison.Ordinal).Trim();

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The delegation's status as GET /api/delegations gives it to its manager.</summary>
    private async Task<string?> StatusAsync(string manager, string delegationId)
    {
        using var client = site.Host.As(manager);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/delegations"));
        return document.RootElement.GetProperty("given").EnumerateArray()
            .Where(d => d.GetProperty("delegationId").GetString() == delegationId)
            .Select(d => d.GetProperty("status").GetString()).FirstOrDefault();
    }

    /// <summary>Waits for the lifecycle to move the delegation (its start timer fires at once for today).</summary>
    private async Task<string?> WaitForStatusAsync(string manager, string delegationId, string status)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        var current = await StatusAsync(manager, delegationId);
        while (current != status && DateTime.UtcNow < until)
        {
            await Task.Delay(500);
            current = await StatusAsync(manager, delegationId);
        }

        return current;
    }

    /// <summary>Revokes whatever delegation from <paramref name="manager"/> to <paramref name="deputy"/> still holds or will.</summary>
    private async Task RevokeCurrentAsync(string manager, string deputy)
    {
        using var client = site.Host.As(manager);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/delegations"));
        foreach (var d in document.RootElement.GetProperty("given").EnumerateArray()
                     .Where(d => d.GetProperty("delegateId").GetString() == deputy && d.GetProperty("status").GetString() is "Scheduled" or "Active"))
        {
            using var revoked = await client.DeleteAsync("/api/delegations/" + d.GetProperty("delegationId").GetString());
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }
    }

    /// <summary>The rows a delegation writes under these people: the manager's given and the delegate's received.</summary>
    private async Task<int> DelegationRowsAsync(params string[] hsaIds)
    {
        var table = new TableClient(Azurite.ConnectionString, site.Host.Prefix + TableNames.Delegations);
        await table.CreateIfNotExistsAsync();
        var count = 0;
        foreach (var hsaId in hsaIds)
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
            {
                count++;
            }
        }

        return count;
    }
}
