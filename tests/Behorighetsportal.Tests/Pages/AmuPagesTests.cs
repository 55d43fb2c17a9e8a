using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Tests.Requests;
using Behorighetsportal.Web;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /amu in Chromium against the devhost: issue 14's story 6 (Karin applies for Gunilla's group; Gunilla approves it on
/// /godkannanden; Karin's /amu lists the membership), applying twice (from a page opened before the first application),
/// and story 8 for the application form (no group chosen, a motivation too long, a post without its token or from
/// another site: refused, nothing stored). The stories apply for Gunilla's group, whose queue no other page story
/// reads; Johan's application is rejected at the end, so his claim on the group is released again.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class AmuPagesTests(PortalSite site)
{
    private const string MedicineGroup = RequestFlow.MedicineGroup;
    private const string MedicineGroupName = RequestFlow.MedicineGroupName;
    private const string SchemaGroupName = RequestFlow.SchemaGroupName;

    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Story6_KarinAppliesForGunillasGroup_GunillaApprovesOnGodkannanden_KarinsAmuListsTheMembership()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        var karin = await site.AsAsync(Demo.Karin);
        await karin.GotoAsync("/amu");
        var before = await karin.InnerTextAsync("main");
        await Browser.CheckPageAsync(karin, "amu");

        // Act 1: Karin applies with a motivation.
        await karin.GetByLabel(MedicineGroupName).CheckAsync();
        await karin.GetByLabel("Motivering (valfri)").FillAsync("Jag ska beställa läkemedel under sommaren.");
        await site.SubmitAsync(karin, "Skicka ansökan", 303);
        await karin.WaitForURLAsync("**/amu?ansokan=AMU-*");
        var sent = await karin.InnerTextAsync("main");
        await Browser.CheckPageAsync(karin, "amu-skickad");

        // Assert 1: both groups were offered with owner and description; the page names who decides; the status is Swedish.
        Assert.Contains(MedicineGroupName, before, StringComparison.Ordinal);
        Assert.Contains(SchemaGroupName, before, StringComparison.Ordinal);
        Assert.Contains("Ägare: Gunilla Granath. Ägaren godkänner.", before, StringComparison.Ordinal);
        Assert.Contains("Beställer läkemedel och ser läkemedelsförrådets saldon", before, StringComparison.Ordinal);
        Assert.Contains("Du är inte medlem i någon AMU-grupp.", before, StringComparison.Ordinal);
        Assert.Contains("Din ansökan är skickad.", sent, StringComparison.Ordinal);
        Assert.Contains(MedicineGroupName + ": väntar på godkännande av Gunilla Granath", sent, StringComparison.Ordinal);
        Assert.Contains("Väntar på godkännande", await karin.InnerTextAsync("table"), StringComparison.Ordinal);
        Assert.Equal(0, await karin.GetByLabel(MedicineGroupName).CountAsync());
        Assert.DoesNotContain("PendingApproval", sent, StringComparison.Ordinal);

        // Act 2: Gunilla, the group's owner, approves it on /godkannanden.
        await WaitForApprovalItemAsync(Demo.Gunilla, Demo.Karin);
        var gunilla = await site.AsAsync(Demo.Gunilla);
        await gunilla.GotoAsync("/godkannanden");
        var item = gunilla.Locator(".card", new() { HasText = "Karin Kvist" });
        var itemText = await item.InnerTextAsync();
        await Browser.CheckPageAsync(gunilla, "godkannanden-amu");
        await item.GetByRole(AriaRole.Checkbox).CheckAsync();
        await gunilla.GetByRole(AriaRole.Button, new() { Name = "Godkänn markerade" }).ClickAsync();
        var decided = await gunilla.InnerTextAsync("main");

        // Assert 2
        Assert.Contains("Ansökan om AMU-grupp", itemText, StringComparison.Ordinal);
        Assert.Contains("Medlemskap i AMU-gruppen " + MedicineGroupName, itemText, StringComparison.Ordinal);
        Assert.Contains("1 beslut sparade", decided, StringComparison.Ordinal);

        // Act 3: Karin's /amu once the membership is granted.
        var granted = await WaitForPageAsync(karin, "/amu", "Mina medlemskap (1)");
        await Browser.CheckPageAsync(karin, "amu-medlem");

        // Assert 3: the membership with giltig från/till in Swedish and who approved it; the application granted.
        var membership = await karin.Locator("table", new() { HasText = "Giltig från" }).InnerTextAsync();
        Assert.Contains(MedicineGroupName, membership, StringComparison.Ordinal);
        Assert.Contains(Swedish.Date(Today), membership, StringComparison.Ordinal);
        Assert.Contains("Tills vidare", membership, StringComparison.Ordinal);
        Assert.Contains("Gunilla Granath", membership, StringComparison.Ordinal);
        var applications = await karin.Locator("table", new() { HasText = "Ansökt" }).InnerTextAsync();
        Assert.Contains("Beviljad", applications, StringComparison.Ordinal);
        Assert.Contains("Godkänd av Gunilla Granath den " + Swedish.Date(Today), applications, StringComparison.Ordinal);
        Assert.DoesNotContain("Active", granted, StringComparison.Ordinal);

        // Story 6's end: Karin's profile lists the membership among her assigned permissions.
        await karin.GotoAsync("/min-profil");
        var assigned = await karin.Locator("tr", new() { HasText = MedicineGroupName }).InnerTextAsync();
        Assert.Contains(Swedish.Date(Today), assigned, StringComparison.Ordinal);
        Assert.Contains("Gunilla Granath", assigned, StringComparison.Ordinal);

        // Act 4: the same group again, from a form opened before (a membership held: the API's 409).
        var rows = await RequestRowsAsync(Demo.Karin);
        using var client = site.Host.As(Demo.Karin);
        var form = await PageForm.ReadAsync(client, "/amu");
        using var again = await PageForm.PostAsync(client, "/amu", form, ("grupp", MedicineGroup), ("motivering", ""));
        var html = await again.Content.ReadAsStringAsync();

        // Assert 4
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("id=\"grupp-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("Du är redan medlem i " + MedicineGroupName, html, StringComparison.Ordinal);
        Assert.Equal(rows, await RequestRowsAsync(Demo.Karin));
    }

    [Fact]
    public async Task ApplyingTwice_FromAPageOpenedBefore_TheApisRefusalInSwedishBesideTheGroups_409_NothingStored()
    {
        // Arrange: Johan has /amu open in two tabs.
        var first = await site.AsAsync(Demo.Johan);
        var stale = await first.Context.NewPageAsync();
        await first.GotoAsync("/amu");
        await stale.GotoAsync("/amu");
        await first.GetByLabel(MedicineGroupName).CheckAsync();
        await site.SubmitAsync(first, "Skicka ansökan", 303);
        await first.WaitForURLAsync("**/amu?ansokan=AMU-*");
        var rows = await RequestRowsAsync(Demo.Johan);

        // Act: the same group from the tab opened before.
        await stale.GetByLabel(MedicineGroupName).CheckAsync();
        await stale.GetByLabel("Motivering (valfri)").FillAsync("En gång till.");
        await site.SubmitAsync(stale, "Skicka ansökan", 409);

        // Assert: the API's refusal, in Swedish, beside the groups and summed up at the top; nothing more stored.
        var message = (await stale.InnerTextAsync("#grupp-fel")).Replace("Fel:", "", StringComparison.Ordinal).Trim();
        Assert.Equal($"Du har redan en ansökan om {MedicineGroupName} som väntar på godkännande. Ta bort de grupperna ur ansökan och försök igen.", message);
        Assert.Contains("Du har redan en ansökan om " + MedicineGroupName, await stale.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.Equal("En gång till.", await stale.GetByLabel("Motivering (valfri)").InputValueAsync());
        await Browser.CheckPageAsync(stale, "amu-redan-ansokt");
        Assert.Equal(rows, await RequestRowsAsync(Demo.Johan));
        Assert.Equal(1, await PendingApplicationsAsync(Demo.Johan));

        // Gunilla rejects it, so Johan's claim on the group is released for the other stories.
        await RejectAsync(Demo.Gunilla, Demo.Johan);
    }

    [Fact]
    public async Task Story8_NoGroupChosenOrMotivationTooLong_SwedishMessageBesideTheField_400_NothingStored()
    {
        // Arrange
        var rows = await RequestRowsAsync(Demo.Nils);
        var page = await site.AsAsync(Demo.Nils);
        await page.GotoAsync("/amu");

        // Act 1: a motivation, no group.
        await page.GetByLabel("Motivering (valfri)").FillAsync("Behövs för mitt arbete.");
        await site.SubmitAsync(page, "Skicka ansökan", 400);

        // Assert 1
        Assert.Equal("Välj minst en AMU-grupp att ansöka om.", (await page.InnerTextAsync("#grupp-fel")).Replace("Fel:", "", StringComparison.Ordinal).Trim());
        Assert.Contains("Välj minst en AMU-grupp", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.Equal("Behövs för mitt arbete.", await page.GetByLabel("Motivering (valfri)").InputValueAsync());
        await Browser.CheckPageAsync(page, "amu-fel");
        Assert.Equal(rows, await RequestRowsAsync(Demo.Nils));

        // Act 2: a group, with a motivation longer than the field lets a browser send (the service's own check).
        using var client = site.Host.As(Demo.Nils);
        var form = await PageForm.ReadAsync(client, "/amu");
        using var response = await PageForm.PostAsync(client, "/amu", form, ("grupp", MedicineGroup), ("motivering", new string('x', 1001)));
        var html = await response.Content.ReadAsStringAsync();

        // Assert 2
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"motivering-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("Motiveringen får vara högst 1000 tecken.", html, StringComparison.Ordinal);
        Assert.Equal(rows, await RequestRowsAsync(Demo.Nils));
    }

    [Fact]
    public async Task Story8_PostWithoutItsTokenOrFromAnotherSite_Refused_NothingStored()
    {
        // Arrange
        var rows = await RequestRowsAsync(Demo.Nils);
        using var client = site.Host.As(Demo.Nils);
        (string, string)[] fields = [("grupp", MedicineGroup), ("motivering", "Behövs")];

        // Act: no token; then the page's own token, but sent from a page of another site.
        using var withoutToken = await PageForm.PostAsync(client, "/amu", null, fields);
        var form = await PageForm.ReadAsync(client, "/amu");
        using var crossSite = PageForm.Request("/amu", form, fields);
        crossSite.Headers.Add("Origin", "https://elak.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fromElsewhere = await client.SendAsync(crossSite);

        // Assert: refused as every page form is (FormPosts: 400 for a missing token, 403 from another site); nothing stored.
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Contains("inget har ändrats", await withoutToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, fromElsewhere.StatusCode);
        Assert.Equal(rows, await RequestRowsAsync(Demo.Nils));
        Assert.Equal(0, await PendingApplicationsAsync(Demo.Nils));
    }

    [Fact]
    public async Task Offers_SayWhoDecides_AnOwnersOwnApplicationGoesToTheirManager_AndAnOwnerWithoutOneIsTold()
    {
        // Arrange: Anna owns the schedule group and has Gunilla as manager; Gunilla owns the medicine group and has none.
        var anna = await site.AsAsync(Demo.Anna);
        using var gunilla = site.Host.As(Demo.Gunilla);

        // Act
        await anna.GotoAsync("/amu");
        var annas = await anna.InnerTextAsync("main");
        var gunillas = await gunilla.GetStringAsync("/amu");

        // Assert (R11, R14)
        Assert.Contains("Ägare: Anna Andersson. Du äger gruppen, så din närmaste chef Gunilla Granath godkänner din ansökan.", annas, StringComparison.Ordinal);
        Assert.Contains("Ägare: Gunilla Granath. Ägaren godkänner.", annas, StringComparison.Ordinal);
        Assert.Contains("Du äger gruppen och kan inte godkänna din egen ansökan, och du har ingen närmaste chef som kan göra det.", gunillas, StringComparison.Ordinal);
        await Browser.CheckPageAsync(anna, "amu-agare");
    }

    [Fact]
    public async Task NotSignedIn_SentToSignIn()
    {
        // Arrange
        using var nobody = site.Host.As(null);

        // Act
        using var response = await nobody.GetAsync("/amu");

        // Assert
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Contains("%2Famu", response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
    }

    /// <summary>Clicks a form's button and waits for the page it leads to; a refusal of the post itself fails with what came back.</summary>

    /// <summary>Reloads the page until its main text holds <paramref name="text"/> (a lifecycle step runs after the decision).</summary>
    private static async Task<string> WaitForPageAsync(IPage page, string path, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string main;
        do
        {
            await page.GotoAsync(path);
            main = await page.InnerTextAsync("main");
            if (main.Contains(text, StringComparison.Ordinal))
            {
                return main;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"{path} never showed \"{text}\":\n{main}");
        return main;
    }

    /// <summary>Waits until the approver's queue (GET /api/me/approvals) holds an AMU application by the applicant; its id.</summary>
    private async Task<string> WaitForApprovalItemAsync(string approver, string applicant)
    {
        using var client = site.Host.As(approver);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            var items = JsonSerializer.Deserialize<List<ApprovalItem>>(await client.GetStringAsync("/api/me/approvals"), JsonBody.Options)!;
            if (items.FirstOrDefault(i => i.Kind == "AmuMembership" && i.SubjectId == applicant) is { } item)
            {
                return item.Id;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"No AMU application by {applicant} reached {approver}'s approvals.\n{site.Host.OutputTail(40)}");
        return "";
    }

    /// <summary>The approver rejects the applicant's waiting application on /godkannanden; waits until its claim is released.</summary>
    private async Task RejectAsync(string approver, string applicant)
    {
        var requestId = await WaitForApprovalItemAsync(approver, applicant);
        using var client = site.Host.As(approver);
        using var response = await PageForm.SubmitAsync(client, "/godkannanden",
            ("item", "AmuMembership|" + requestId), ("decision", "reject"), ("motivering", "Testet är klart."));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(0, await PendingApplicationsAsync(applicant));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await RequestsTable.GetEntityIfExistsAsync<TableEntity>(applicant, "claim|AmuMembership|" + MedicineGroup)).HasValue)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The rejected application's claim on {MedicineGroup} was never released.");
            await Task.Delay(200);
        }
    }

    /// <summary>The person's rows that applying writes: requests and their claims.</summary>
    private async Task<int> RequestRowsAsync(string hsaId)
    {
        var count = 0;
        await foreach (var _ in RequestsTable.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
        {
            count++;
        }

        return count;
    }

    /// <summary>The person's AMU applications waiting for a decision.</summary>
    private async Task<int> PendingApplicationsAsync(string hsaId)
    {
        var count = 0;
        await foreach (var row in RequestsTable.QueryAsync<TableEntity>(e => e.PartitionKey == hsaId))
        {
            if (row.GetString("Kind") == "AmuMembership" && row.GetString("Status") == "PendingApproval")
            {
                count++;
            }
        }

        return count;
    }

    private TableClient RequestsTable
    {
        get
        {
            var table = new TableClient(Azurite.ConnectionString, site.Host.Prefix + TableNames.Requests);
            table.CreateIfNotExists();
            return table;
        }
    }
}
