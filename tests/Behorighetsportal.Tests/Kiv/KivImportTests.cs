using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Kiv;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Kiv;

/// <summary>POST /api/kiv/import end to end on the real engine and Azurite: validation as a whole, durable processing, idempotence, joiners (R5).</summary>
public sealed class KivImportTests : IDisposable
{
    private const string Olle = "SE2321000131-E000000000099";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    private static object Batch(string startDate, string title = "Undersköterska", string? managerHsaId = Demo.Anna) => new
    {
        orgUnits = new[] { new { id = "SU-NEO", name = "Neonatalavdelningen", administration = "SU", parentId = "SU-MED" } },
        identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se", @protected = false } },
        engagements = new[] { new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-NEO", title, startDate, endDate = (string?)null, managerHsaId } },
    };

    internal static async Task<KivImportProgress> WaitForCompletionAsync(HttpClient kiv, string location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        KivImportProgress? progress;
        do
        {
            progress = await kiv.GetFromJsonAsync<KivImportProgress>(location, Behorighetsportal.Http.JsonBody.Options);
            if (progress!.Status is KivImportStatus.Completed or KivImportStatus.Failed)
            {
                return progress;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Import did not complete: {progress!.Status}, {progress.ChunksDone}/{progress.ChunksTotal}");
        return progress;
    }

    private static async Task<Dictionary<string, string>> EtagsAsync(PortalApp app, string table)
    {
        Dictionary<string, string> etags = [];
        await foreach (var row in app.Storage.Table(table).QueryAsync<TableEntity>())
        {
            etags[row.PartitionKey + "/" + row.RowKey] = row.ETag.ToString();
        }

        return etags;
    }

    [Fact]
    public async Task Import_NewJoinerMatchingPolicy_IsStoredAndGetsPolicyLevelOnStartDate()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        var tomorrow = Directory.StockholmTime.Today(TimeProvider.System).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // Act
        var response = await kiv.PostAsJsonAsync("/api/kiv/import", Batch(tomorrow));
        var progress = await WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal((KivImportStatus.Completed, 3, 1), (progress.Status, progress.Changed, progress.PolicyChanges));
        var olle = await app.Directory.GetPersonAsync(Olle);
        Assert.Equal("SU-NEO", olle!.FindEngagement("ENG-0099")!.OrgUnitId);
        var orderId = $"{Behorighetsportal.Policies.PolicyRules.OrderPrefix}ENG-0099-STANDARD-{Directory.StockholmTime.Today(TimeProvider.System):yyyyMMdd}";
        await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.WaitingForStartDate);
        Assert.Equal(tomorrow, (await OrderFlow.GetAsync(app, Demo.Anna, orderId)).ActivationDate);
    }

    [Fact]
    public async Task Import_SameBatchTwice_SecondChangesNothing()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        var today = Directory.StockholmTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var first = await kiv.PostAsJsonAsync("/api/kiv/import", Batch(today, title: "Läkare"));
        await WaitForCompletionAsync(kiv, first.Headers.Location!.ToString());
        var identities = await EtagsAsync(app, TableNames.Identities);
        var units = await EtagsAsync(app, TableNames.OrgUnits);

        // Act
        var second = await kiv.PostAsJsonAsync("/api/kiv/import", Batch(today, title: "Läkare"));
        var progress = await WaitForCompletionAsync(kiv, second.Headers.Location!.ToString());

        // Assert
        Assert.Equal((0, 0), (progress.Changed, progress.PolicyChanges));
        Assert.Equal(identities, await EtagsAsync(app, TableNames.Identities));
        Assert.Equal(units, await EtagsAsync(app, TableNames.OrgUnits));
    }

    [Fact]
    public async Task Import_BatchWithOneBadRow_IsRefusedWholeNamingTheRow()
    {
        // Arrange: the engagement ends before it starts.
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        var batch = new
        {
            identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" } },
            engagements = new[] { new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Läkare", startDate = "2027-02-01", endDate = "2027-01-01" } },
        };

        // Act
        var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Contains("Slutdatum ligger före startdatum", errors.GetProperty("engagements[0].endDate")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
        Assert.Empty(await EtagsAsync(app, TableNames.KivImports));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Import_WithoutKivsKey_Unauthorized(string? key)
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var caller = app.AsIntegration(key);

        // Act
        var response = await caller.PostAsJsonAsync("/api/kiv/import", Batch("2027-01-01"));

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
    }

    [Fact]
    public async Task Import_WithMarknadsplatsensKey_ForbiddenAndNothingStored()
    {
        // Arrange: Marknadsplatsen's key is genuine, but it opens attestation only, not the directory import.
        await using var app = new PortalApp(_inbox);
        using var marknadsplatsen = app.AsMarknadsplatsen();
        using var kiv = app.AsKiv();

        // Act
        using var import = await marknadsplatsen.PostAsJsonAsync("/api/kiv/import", Batch("2027-01-01"));
        using var progress = await marknadsplatsen.GetAsync("/api/kiv/imports/KIV-NOSUCHIMPORT");
        using var progressForKiv = await kiv.GetAsync("/api/kiv/imports/KIV-NOSUCHIMPORT");

        // Assert: refused before anything is read or stored (KiV's own key gets the unknown import's 404).
        foreach (var response in new[] { import, progress })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
            Assert.Contains("Marknadsplatsen", detail, StringComparison.Ordinal);
            Assert.Contains("Katalog i Väst", detail, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, progressForKiv.StatusCode);
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
        Assert.Empty(await EtagsAsync(app, TableNames.KivImports));
    }

    [Fact]
    public void Validate_UnknownReferences_NamesEachRow()
    {
        // Arrange
        var batch = new KivBatch(
            [new KivOrgUnit("X1", "Enhet", "SU", "NOPE")],
            [new KivIdentity("P1", "A", "B", "a@b.se", false), new KivIdentity("P1", "A", "B", "a@b.se", false)],
            [new KivEngagement("E1", "GHOST", "SU-AKUT", "T", "2027-01-01", null, null), new KivEngagement("E2", "P1", "NOWHERE", "T", "2027-01-01", null, null)]);

        // Act
        var (valid, errors) = KivBatchValidator.Validate(batch, new Directory.OrgTree([new Directory.OrgUnit("SU-AKUT", "Akut", "SU", null)]), _ => false, Directory.StockholmTime.Today(TimeProvider.System));

        // Assert
        Assert.Null(valid);
        Assert.Equal(
            [("orgUnits", 0), ("identities", 1), ("engagements", 0), ("engagements", 1)],
            errors.Select(e => (e.Section, e.Row)).ToArray());
    }

    [Fact]
    public void Validate_UnknownEngagementKind_NamesTheRowAndTheAllowedKinds()
    {
        // Arrange
        var batch = new KivBatch(null, [new KivIdentity("P1", "A", "B", "a@b.se", false)],
            [new KivEngagement("E1", "P1", "SU-AKUT", "T", "2027-01-01", null, null, "Tillsvidare"), new KivEngagement("E2", "P1", "SU-AKUT", "T", "2027-01-01", null, null, "praktikant")]);

        // Act
        var (valid, errors) = KivBatchValidator.Validate(batch, new Directory.OrgTree([new Directory.OrgUnit("SU-AKUT", "Akut", "SU", null)]), _ => false, Directory.StockholmTime.Today(TimeProvider.System));

        // Assert
        Assert.Null(valid);
        var error = Assert.Single(errors);
        Assert.Equal(("engagements", 1, "E2"), (error.Section, error.Row, error.Id));
        Assert.Contains("tillsvidare, visstid, timanställd, konsult", error.Reason, StringComparison.Ordinal);
    }

    private static string Tomorrow() =>
        Directory.StockholmTime.Today(TimeProvider.System).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string PolicyOrderId(string engagementId, string level) =>
        $"{Behorighetsportal.Policies.PolicyRules.OrderPrefix}{engagementId}-{level}-{Directory.StockholmTime.Today(TimeProvider.System):yyyyMMdd}".ToUpperInvariant();

    /// <summary>Olle (tillsvidare) and Petra (konsult), both new at SU-IT, where no demo policy reaches.</summary>
    private static object ItJoiners(string startDate) => new
    {
        identities = new[]
        {
            new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" },
            new { hsaId = Petra, givenName = "Petra", familyName = "Persson", email = "petra.persson@example.vgregion.se" },
        },
        engagements = new[]
        {
            new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-IT", title = "Systemutvecklare", startDate, managerHsaId = Demo.Anna, kind = "tillsvidare" },
            new { engagementId = "ENG-0098", hsaId = Petra, orgUnitId = "SU-IT", title = "Systemutvecklare", startDate, managerHsaId = Demo.Anna, kind = "konsult" },
        },
    };

    private const string Petra = "SE2321000131-E000000000098";
    private static readonly string[] Permanent = ["tillsvidare"];
    private static readonly string[] Consultant = ["konsult"];
    private static readonly string[] Unknown = ["praktikant"];

    [Fact]
    public async Task Import_PolicyWithEngagementKinds_AssignsOnlyEngagementsOfThoseKinds()
    {
        // Arrange: a policy for permanent staff at SU-IT.
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        using var gunilla = app.As(Demo.Gunilla);
        var saved = await gunilla.PutAsJsonAsync("/api/policies/POL-SU-IT-TV",
            new { administration = "SU", underOrgUnitId = "SU-IT", titles = Array.Empty<string>(), level = "Bas", kinds = Permanent });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        // Act
        var response = await kiv.PostAsJsonAsync("/api/kiv/import", ItJoiners(Tomorrow()));
        var progress = await WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());

        // Assert: Olle gets the policy's level, Petra (a consultant) gets nothing; both engagements keep their kind.
        Assert.Equal((KivImportStatus.Completed, 1), (progress.Status, progress.PolicyChanges));
        Assert.NotNull(await app.Services.GetRequiredService<OrderRepository>().GetAsync(PolicyOrderId("ENG-0099", "Bas")));
        Assert.Null(await app.Services.GetRequiredService<OrderRepository>().GetAsync(PolicyOrderId("ENG-0098", "Bas")));
        Assert.Equal(Directory.EngagementKind.Permanent, (await app.Directory.GetPersonAsync(Olle))!.FindEngagement("ENG-0099")!.Kind);
        Assert.Equal(Directory.EngagementKind.Consultant, (await app.Directory.GetPersonAsync(Petra))!.FindEngagement("ENG-0098")!.Kind);
        var policies = JsonDocument.Parse(await gunilla.GetStringAsync("/api/policies")).RootElement.EnumerateArray();
        Assert.Equal(["tillsvidare"], policies.Single(p => p.GetProperty("policyId").GetString() == "POL-SU-IT-TV").GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task Preview_PolicyWithEngagementKinds_ShowsOnlyEngagementsOfThoseKinds()
    {
        // Arrange: Olle and Petra imported at SU-IT, no policy there yet.
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        using var gunilla = app.As(Demo.Gunilla);
        var imported = await kiv.PostAsJsonAsync("/api/kiv/import", ItJoiners(Tomorrow()));
        await WaitForCompletionAsync(kiv, imported.Headers.Location!.ToString());

        // Act
        var response = await gunilla.PostAsJsonAsync("/api/policies/POL-SU-IT-KONSULT/preview",
            new { administration = "SU", underOrgUnitId = "SU-IT", level = "Bas", kinds = Consultant });
        var refused = await gunilla.PostAsJsonAsync("/api/policies/POL-SU-IT-KONSULT/preview",
            new { administration = "SU", underOrgUnitId = "SU-IT", level = "Bas", kinds = Unknown });

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["ENG-0098"], preview.GetProperty("gain").EnumerateArray().Select(e => e.GetProperty("engagementId").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("tillsvidare, visstid, timanställd, konsult", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static object Page(object[]? identities = null, object[]? engagements = null) => new { identities, engagements };

    private static readonly object OllePerson = new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" };

    private static object OlleEngagement(string startDate, string? endDate = null) =>
        new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-IT", title = "Systemutvecklare", startDate, endDate, managerHsaId = Demo.Anna };

    [Fact]
    public async Task ImportInPages_OutOfOrderAndRepeated_ProcessedOnceWhenTheLastIsIn()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        const string route = "/api/kiv/import?importId=KIV-PAGED-1";

        // Act: the last page first (it refers to Olle, who comes on page 1), then again, then page 1, then page 1 again.
        var last = await kiv.PostAsJsonAsync(route + "&page=2&lastPage=true", Page(engagements: [OlleEngagement(Tomorrow())]));
        var waiting = await kiv.GetFromJsonAsync<KivImportProgress>(last.Headers.Location!.ToString(), Behorighetsportal.Http.JsonBody.Options);
        var lastAgain = await kiv.PostAsJsonAsync(route + "&page=2&lastPage=true", Page(engagements: [OlleEngagement(Tomorrow())]));
        var storedBeforePageOne = await app.Directory.GetIdentityAsync(Olle);
        var first = await kiv.PostAsJsonAsync(route + "&page=1", Page(identities: [OllePerson]));
        var progress = await WaitForCompletionAsync(kiv, first.Headers.Location!.ToString());
        var firstAgain = await kiv.PostAsJsonAsync(route + "&page=1", Page(identities: [OllePerson]));
        var changedPage = await kiv.PostAsJsonAsync(route + "&page=1", Page(identities: [new { hsaId = Olle, givenName = "Olof", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" }]));

        // Assert
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted], new[] { last.StatusCode, lastAgain.StatusCode, first.StatusCode, firstAgain.StatusCode });
        Assert.Equal((KivImportStatus.Receiving, 1, 2), (waiting!.Status, waiting.PagesReceived, waiting.LastPage));
        Assert.Equal([1], waiting.MissingPages!);
        Assert.Null(storedBeforePageOne);
        Assert.Equal((KivImportStatus.Completed, 1, 1, 2), (progress.Status, progress.Identities, progress.Engagements, progress.Changed));
        Assert.Equal("SU-IT", (await app.Directory.GetPersonAsync(Olle))!.FindEngagement("ENG-0099")!.OrgUnitId);
        Assert.Equal(HttpStatusCode.Conflict, changedPage.StatusCode);
        Assert.Equal("Olle", (await app.Directory.GetIdentityAsync(Olle))!.GivenName);
    }

    [Fact]
    public async Task ImportInPages_BadRowInALaterPage_RefusesAllPagesAndStoresNothing()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        const string route = "/api/kiv/import?importId=KIV-PAGED-2";
        var first = await kiv.PostAsJsonAsync(route + "&page=1", Page(identities: [OllePerson]));

        // Act: page 2's only engagement ends before it starts.
        var last = await kiv.PostAsJsonAsync(route + "&page=2&lastPage=true", Page(engagements: [OlleEngagement("2027-02-01", "2027-01-01")]));
        var body = await last.Content.ReadAsStringAsync();
        var later = await kiv.PostAsJsonAsync(route + "&page=3", Page(identities: [OllePerson]));

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, last.StatusCode);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Contains("Slutdatum ligger före startdatum", problem.GetProperty("errors").GetProperty("pages[2].engagements[0].endDate")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Sida 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
        var progress = await kiv.GetFromJsonAsync<KivImportProgress>("/api/kiv/imports/KIV-PAGED-2", Behorighetsportal.Http.JsonBody.Options);
        Assert.Equal(KivImportStatus.Failed, progress!.Status);
        Assert.Equal(HttpStatusCode.Conflict, later.StatusCode);
    }
}
