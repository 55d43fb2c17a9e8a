using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Kiv;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
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

    private static async Task<KivImportProgress> WaitForCompletionAsync(HttpClient kiv, string location)
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
        using var kiv = app.AsIntegration();
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
        using var kiv = app.AsIntegration();
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
        using var kiv = app.AsIntegration();
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
        Assert.Contains("Slutdatum ligger före startdatum", errors.GetProperty("engagements[0]")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
        Assert.Empty(await EtagsAsync(app, TableNames.KivImports));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Import_WithoutIntegrationKey_Unauthorized(string? key)
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
    public void Validate_UnknownReferences_NamesEachRow()
    {
        // Arrange
        var batch = new KivBatch(
            [new KivOrgUnit("X1", "Enhet", "SU", "NOPE")],
            [new KivIdentity("P1", "A", "B", "a@b.se", false), new KivIdentity("P1", "A", "B", "a@b.se", false)],
            [new KivEngagement("E1", "GHOST", "SU-AKUT", "T", "2027-01-01", null, null), new KivEngagement("E2", "P1", "NOWHERE", "T", "2027-01-01", null, null)]);

        // Act
        var (valid, errors) = KivBatchValidator.Validate(batch, new Directory.OrgTree([new Directory.OrgUnit("SU-AKUT", "Akut", "SU", null)]), _ => false);

        // Assert
        Assert.Null(valid);
        Assert.Equal(
            [("orgUnits", 0), ("identities", 1), ("engagements", 0), ("engagements", 1)],
            errors.Select(e => (e.Section, e.Row)).ToArray());
    }
}
