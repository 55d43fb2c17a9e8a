using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// /policyer and /policyer/{policyId} in Chromium against the devhost: issue 14's story 7 (Gunilla, SU's policy
/// administrator in the demo settings, previews a policy change, sees who gains, loses and changes level — a protected
/// person without name — and saves it), a field the service refuses, a form without its token, and a person who
/// administers no policy (read-only pages; a post refused). Story 7 acts on a unit of its own that KiV adds (SU-STER,
/// with people no other story knows), since a saved policy changes user services: on the demo units it would give Hugo,
/// Cecilia and Karin the level the order stories order for them. The other tests post to the demo policy and change nothing.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class PolicyPagesTests(PortalSite site)
{
    private const string StoryPolicy = "POL-SU-STER";
    private const string Rut = "SE2321000131-E000000000201";
    private const string Pia = "SE2321000131-E000000000202";
    private const string Ulf = "SE2321000131-E000000000203";
    private const string Bodil = "SE2321000131-E000000000204";
    private const string Siv = "SE2321000131-E000000000205";

    private static readonly string[] StoryTitlesBefore = ["Undersköterska", "Barnmorska"];

    private static DateOnly Today => StockholmTime.Today(TimeProvider.System);

    [Fact]
    public async Task Story7_GunillaPreviewsAPolicyChange_SeesWhoGainsLosesAndChanges_SavesIt()
    {
        // Arrange: SU-STER's people, and the policy as it stands: Undersköterska and Barnmorska get Bas (Ulf and Bodil have it).
        await ImportSterileUnitAsync();
        using var gunilla = site.Host.As(Demo.Gunilla);
        using var put = await gunilla.PutAsJsonAsync("/api/policies/" + StoryPolicy,
            new { administration = "SU", underOrgUnitId = "SU-STER", titles = StoryTitlesBefore, level = "Bas" });
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT {StoryPolicy}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        await WaitForActiveAsync(PolicyRules.OrderIdFor("ENG-STER-3", "Bas", Today));
        await WaitForActiveAsync(PolicyRules.OrderIdFor("ENG-STER-4", "Bas", Today));
        var page = await site.AsAsync(Demo.Gunilla);

        // Act 1: the list, then the policy's form
        await page.GotoAsync("/policyer");
        var list = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "policyer");
        await page.GetByRole(AriaRole.Link, new() { Name = StoryPolicy, Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/policyer/" + StoryPolicy);
        await Browser.CheckPageAsync(page, "policy-formular");

        // Act 2: Sjuksköterska and Barnmorska at Standard, previewed
        var before = await gunilla.GetStringAsync("/api/policies");
        await page.GetByLabel("Titlar").FillAsync("Sjuksköterska\nBarnmorska");
        await page.GetByLabel("Standard – ").CheckAsync();
        await site.SubmitAsync(page, "Förhandsgranska", exact: true);
        var preview = await page.InnerTextAsync("main");
        var previewHtml = await page.ContentAsync();
        var afterPreview = await gunilla.GetStringAsync("/api/policies");
        await Browser.CheckPageAsync(page, "policy-granska");

        // Act 3: saved (Post/Redirect/Get back to the policy)
        await site.SubmitAsync(page, "Spara", 303, exact: true);
        await page.WaitForURLAsync("**/policyer/" + StoryPolicy + "?sparad=1");
        var saved = await page.InnerTextAsync("main");
        await Browser.CheckPageAsync(page, "policy-sparad");

        // Assert: the list names what the policy covers and who administers it
        Assert.Contains("Sterilteknik (SU-STER) och enheterna under den · titlarna Undersköterska, Barnmorska · alla anställningsformer", list, StringComparison.Ordinal);
        Assert.Contains("Gunilla Granath", list, StringComparison.Ordinal);
        Assert.Contains("POL-SU-VARD", list, StringComparison.Ordinal);

        // The preview: who gains, loses, changes level; Siv (protected, Rut's report) without name or HSA-id (R10); nothing saved
        Assert.Contains("Får användartjänst (2)", preview, StringComparison.Ordinal);
        Assert.Contains($"Pia Persson ({Pia})", preview, StringComparison.Ordinal);
        Assert.Contains("En medarbetare med skyddad identitet", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("Siv", previewHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(Siv, previewHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("ENG-STER-5", previewHtml, StringComparison.Ordinal);
        Assert.Contains("Förlorar användartjänsten (1)", preview, StringComparison.Ordinal);
        Assert.Contains($"Ulf Uddén ({Ulf})", preview, StringComparison.Ordinal);
        Assert.Contains("Byter nivå (1)", preview, StringComparison.Ordinal);
        Assert.Contains($"Bodil Bark ({Bodil})", preview, StringComparison.Ordinal);
        Assert.Matches(@"ENG-STER-4\s+Bas\s+Standard", preview);
        Assert.DoesNotContain("Rut Rask", preview, StringComparison.Ordinal);
        Assert.Equal(before, afterPreview);

        // The saved policy shows the change, as does the JSON route, and the run carries it out (Pia gets Standard)
        Assert.Contains("Policyn är sparad.", saved, StringComparison.Ordinal);
        Assert.Contains("titlarna Sjuksköterska, Barnmorska", saved, StringComparison.Ordinal);
        Assert.Matches(@"Nivå\s+Standard", saved);
        var policy = JsonDocument.Parse(await gunilla.GetStringAsync("/api/policies")).RootElement.EnumerateArray()
            .Single(p => p.GetProperty("policyId").GetString() == StoryPolicy);
        Assert.Equal("Standard", policy.GetProperty("level").GetString());
        Assert.Equal(["Sjuksköterska", "Barnmorska"], policy.GetProperty("titles").EnumerateArray().Select(t => t.GetString()));
        await WaitForActiveAsync(PolicyRules.OrderIdFor("ENG-STER-2", "Standard", Today));
    }

    [Fact]
    public async Task InvalidField_SwedishMessageBesideTheField_400_NothingSaved()
    {
        // Arrange
        using var gunilla = site.Host.As(Demo.Gunilla);
        var before = await gunilla.GetStringAsync("/api/policies");
        var page = await site.AsAsync(Demo.Gunilla);
        await page.GotoAsync("/policyer/POL-SU-VARD");

        // Act 1: no unit chosen, in the browser
        await page.GetByLabel("Enhet").SelectOptionAsync(new SelectOptionValue { Label = "Välj enhet" });
        await site.SubmitAsync(page, "Förhandsgranska", 400, exact: true);

        // Assert 1
        Assert.Equal("Ange en organisatorisk enhet i samma förvaltning som policyn.", FieldMessage(await page.InnerTextAsync("#enhet-fel")));
        Assert.Contains("Ange en organisatorisk enhet", await page.InnerTextAsync(".error-summary"), StringComparison.Ordinal);
        Assert.Equal("Sjuksköterska\nUndersköterska", await page.InputValueAsync("#titlar"));
        await Browser.CheckPageAsync(page, "policy-fel");

        // Act 2: an unknown level and a priority that is no number, sent straight to "Spara"
        var form = await PageForm.ReadAsync(gunilla, "/policyer/POL-SU-VARD");
        using var response = await PageForm.PostAsync(gunilla, "/policyer/POL-SU-VARD", form,
            ("enhet", "SU-MED"), ("titlar", "Sjuksköterska"), ("niva", "Guld"), ("prioritet", "tio"), ("steg", "spara"));
        var html = await response.Content.ReadAsStringAsync();

        // Assert 2
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"niva-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("Okänd nivå. Välj en av: Bas, Standard, Utökad.", html, StringComparison.Ordinal);
        Assert.Contains("id=\"prioritet-fel\"", html, StringComparison.Ordinal);
        Assert.Contains("Ange prioriteten som ett heltal", html, StringComparison.Ordinal);
        Assert.Equal(before, await gunilla.GetStringAsync("/api/policies"));
    }

    [Fact]
    public async Task FormPostWithoutItsToken_Refused_NothingSaved()
    {
        // Arrange
        using var gunilla = site.Host.As(Demo.Gunilla);
        var before = await gunilla.GetStringAsync("/api/policies");

        // Act: a change Gunilla may make, but without the page's antiforgery token
        using var response = await PageForm.PostAsync(gunilla, "/policyer/POL-SU-VARD", null,
            ("enhet", "SU"), ("niva", "Utökad"), ("prioritet", "5"), ("steg", "spara"));

        // Assert: the portal's refusal of a form without its token (FormPosts), nothing saved
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("inget har ändrats", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await gunilla.GetStringAsync("/api/policies"));
    }

    [Fact]
    public async Task NonAdministrator_SeesPoliciesReadOnly_AndHerPostIsRefused_NothingSaved()
    {
        // Arrange: Anna administers no policy
        using var anna = site.Host.As(Demo.Anna);
        var before = await anna.GetStringAsync("/api/policies");
        var page = await site.AsAsync(Demo.Anna);

        // Act 1: the list and a policy
        await page.GotoAsync("/policyer");
        var list = await page.InnerTextAsync("main");
        await page.GotoAsync("/policyer/POL-SU-VARD");
        var policy = await page.InnerTextAsync("main");
        var buttons = await page.Locator("main button").CountAsync();
        await Browser.CheckPageAsync(page, "policy-las");

        // Act 2: her browser posts the form anyway, with her own valid token
        var form = await PageForm.ForAsync(anna, "/policyer/POL-SU-VARD");
        using var response = await PageForm.PostAsync(anna, "/policyer/POL-SU-VARD", form,
            ("enhet", "SU"), ("niva", "Utökad"), ("prioritet", "5"), ("steg", "spara"));
        var refusal = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Contains("Bara förvaltningens policyadministratörer kan ändra dem.", list, StringComparison.Ordinal);
        Assert.Contains("POL-SU-VARD", list, StringComparison.Ordinal);
        Assert.Contains("Medicinkliniken (SU-MED) och enheterna under den", policy, StringComparison.Ordinal);
        Assert.Contains("Bara policyadministratörer för förvaltningen SU kan ändra policyn.", policy, StringComparison.Ordinal);
        Assert.Equal(0, buttons);
        Assert.NotNull(form);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Inget har ändrats", refusal, StringComparison.Ordinal);
        Assert.Equal(before, await anna.GetStringAsync("/api/policies"));

        // Gunilla administers SU only: NU's policy is read-only to her too, and her preview of it is refused
        using var gunilla = site.Host.As(Demo.Gunilla);
        var nu = await gunilla.GetStringAsync("/policyer/POL-NU-ALLA");
        Assert.DoesNotContain("Förhandsgranska", nu, StringComparison.Ordinal);
        using var nuPost = await PageForm.SubmitAsync(gunilla, "/policyer/POL-NU-ALLA", ("enhet", "NU"), ("niva", "Bas"), ("steg", "granska"));
        Assert.Equal(HttpStatusCode.Forbidden, nuPost.StatusCode);
    }

    [Fact]
    public async Task UnknownPolicy_404()
    {
        // Arrange
        using var gunilla = site.Host.As(Demo.Gunilla);

        // Act
        using var page = await gunilla.GetAsync("/policyer/POL-FINNS-INTE");
        using var post = await PageForm.SubmitAsync(gunilla, "/policyer/POL-FINNS-INTE", ("enhet", "SU"), ("niva", "Bas"), ("steg", "spara"));

        // Assert: the page does not create policies; nothing saved
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("Policyn finns inte", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.DoesNotContain("POL-FINNS-INTE", await gunilla.GetStringAsync("/api/policies"), StringComparison.Ordinal);
    }

    /// <summary>
    /// KiV adds SU-STER under SU (no demo policy covers it) with Rut, its head and everyone's manager, and four people:
    /// Pia (Sjuksköterska), Ulf (Undersköterska), Bodil (Barnmorska) and Siv (Sjuksköterska, protected), all started.
    /// </summary>
    private async Task ImportSterileUnitAsync()
    {
        var start = Today.AddDays(-100).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        object Person(string hsaId, string given, string family, bool isProtected = false) =>
            new { hsaId, givenName = given, familyName = family, email = $"{given.ToLowerInvariant()}.{family.ToLowerInvariant()}@example.vgregion.se", @protected = isProtected };
        object Engagement(string id, string hsaId, string title, string? manager = Rut) =>
            new { engagementId = id, hsaId, orgUnitId = "SU-STER", title, startDate = start, endDate = (string?)null, managerHsaId = manager };
        var batch = new
        {
            orgUnits = new[] { new { id = "SU-STER", name = "Sterilteknik", administration = "SU", parentId = "SU" } },
            identities = new[]
            {
                Person(Rut, "Rut", "Rask"), Person(Pia, "Pia", "Persson"), Person(Ulf, "Ulf", "Uddén"), Person(Bodil, "Bodil", "Bark"),
                Person(Siv, "Siv", "Sand", isProtected: true),
            },
            engagements = new[]
            {
                Engagement("ENG-STER-1", Rut, "Enhetschef", manager: null), Engagement("ENG-STER-2", Pia, "Sjuksköterska"),
                Engagement("ENG-STER-3", Ulf, "Undersköterska"), Engagement("ENG-STER-4", Bodil, "Barnmorska"),
                Engagement("ENG-STER-5", Siv, "Sjuksköterska"),
            },
        };
        using var kiv = site.Host.AsKiv();
        using var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"KiV import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var progress = await Kiv.KivImportTests.WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());
        Assert.Equal(Behorighetsportal.Kiv.KivImportStatus.Completed, progress.Status);
    }

    /// <summary>Waits until a policy order (read by Rut, the manager) is active: the save's background run has carried it out.</summary>
    private async Task WaitForActiveAsync(string orderId)
    {
        using var rut = site.Host.As(Rut);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await rut.GetAsync("/api/orders/" + orderId);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<OrderView>(JsonBody.Options))!.Status == OrderStatus.Active)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Policy order {orderId} did not become active; last: {last}\n{site.Host.OutputTail(60)}");
    }

    private static string FieldMessage(string text) => text.Replace("Fel:", "", StringComparison.Ordinal).Trim();

    /// <summary>Clicks a form's button and waits for the page it leads to; a refusal of the post itself fails with what came back.</summary>
}
