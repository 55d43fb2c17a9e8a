using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Kiv;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Kiv;

/// <summary>
/// KiV batches refused as a whole before anything is accepted: import ids outside KiV's own namespace, and texts longer
/// than the directory keeps — a Swedish problem naming the field, and nothing stored, started or sent.
/// </summary>
public sealed class KivRefusalTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Olle = "SE2321000131-E000000000099";

    private PortalApp App => fixture.App;

    private static object OllePage => new { identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" } } };

    [Theory]
    [InlineData("ORD-0123456789ABCDEF")]
    [InlineData("ord-1")]
    [InlineData("AUTO-ENG-0003-STANDARD-20261204")]
    [InlineData("DEL-0123456789ABCDEF")]
    [InlineData("SDA-1")]
    [InlineData("AMU-1")]
    [InlineData("END-ENG-0003-20261204")]
    [InlineData("NIGHTLY-20261204")]
    [InlineData("POLICY-POL-SU-VARD-1")]
    [InlineData("KIV_2026_11_28")]
    [InlineData("KIV.2026.11.28")]
    public async Task ImportInPages_ImportIdOutsideKivsNamespace_Returns400NamingImportIdAndStoresNothing(string importId)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var kiv = App.AsKiv();
        using var response = await kiv.PostAsJsonAsync($"/api/kiv/import?importId={Uri.EscapeDataString(importId)}&page=1&lastPage=true", OllePage);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("importId", Assert.Single(problem.Errors("importId")), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"a paged KiV import with importId {importId}");
    }

    [Theory]
    [InlineData("orgUnits[0].name")]
    [InlineData("identities[0].givenName")]
    [InlineData("identities[0].familyName")]
    [InlineData("engagements[0].title")]
    public async Task Import_TextLongerThanTheDirectoryKeeps_Returns400NamingTheFieldAndStoresNothing(string path)
    {
        // Arrange: one text too long by a character; the rest of the batch is fine.
        var tooLong = (string field, int max) => path.EndsWith(field, StringComparison.Ordinal) ? new string('å', max + 1) : null;
        var batch = new
        {
            orgUnits = new[] { new { id = "SU-NEO", name = tooLong("name", KivBatchValidator.MaxNameLength) ?? "Neonatalavdelningen", administration = "SU", parentId = "SU-MED" } },
            identities = new[]
            {
                new
                {
                    hsaId = Olle,
                    givenName = tooLong("givenName", KivBatchValidator.MaxPersonNameLength) ?? "Olle",
                    familyName = tooLong("familyName", KivBatchValidator.MaxPersonNameLength) ?? "Olsson",
                    email = "olle.olsson@example.vgregion.se",
                },
            },
            engagements = new[]
            {
                new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-NEO", title = tooLong("title", KivBatchValidator.MaxNameLength) ?? "Läkare", startDate = "2026-01-01" },
            },
        };
        var before = await StoredState.SettledAsync(App);

        // Act
        using var kiv = App.AsKiv();
        using var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("högst", Assert.Single(problem.Errors(path)), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"a KiV batch with {path} too long");
    }
}

/// <summary>Texts at their longest are taken: a chunk of such rows is stored and processed, on a devhost of its own.</summary>
public sealed class KivLongTextTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Import_HundredEngagementsWithTitlesAtTheirLongest_CompletedAndStored()
    {
        // Arrange: a hundred people in one chunk, each title as long as allowed and all of it Swedish letters
        // (which JSON escapes to six characters each): far more than one table property holds.
        await using var app = new PortalApp(_inbox);
        using var kiv = app.AsKiv();
        var title = new string('ö', KivBatchValidator.MaxNameLength);
        var people = Enumerable.Range(0, 100).Select(n => $"SE2321000131-E0000000{n + 100:D5}").ToList();
        var batch = new
        {
            identities = people.Select(hsaId => new { hsaId, givenName = "Åsa", familyName = "Öberg", email = "asa.oberg@example.vgregion.se" }).ToArray(),
            engagements = people.Select((hsaId, n) => new { engagementId = $"ENG-L{n:D3}", hsaId, orgUnitId = "SU-IT", title, startDate = "2026-01-01", managerHsaId = Demo.Gunilla }).ToArray(),
        };

        // Act
        using var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        var progress = await KivImportTests.WaitForCompletionAsync(kiv, response.Headers.Location!.ToString());

        // Assert
        Assert.Equal((KivImportStatus.Completed, 200), (progress.Status, progress.Changed));
        Assert.Equal(title, (await app.Directory.GetPersonAsync(people[^1]))!.FindEngagement("ENG-L099")!.Title);
    }
}
