using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Tests.Requests;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Dates outside the window every route keeps (<see cref="DateWindow"/>): refused with a Swedish problem naming the
/// field, before anything is stored. A date at the calendar's end used to be stored and then fail the durable work
/// (<c>DateOnly.MaxValue.AddDays(1)</c>), leaving its claims behind.
/// </summary>
public sealed class DateWindowTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalApp App => fixture.App;

    private static string Day(int offset) => (StockholmTime.Today(TimeProvider.System).AddDays(offset)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A date given as an offset from today (what the test's data can say), or as it stands.</summary>
    private static string Date(string text) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset) ? Day(offset) : text;

    [Theory]
    [InlineData("validFrom", "9999-12-31", null)]
    [InlineData("validFrom", "367", null)]
    [InlineData("validFrom", "-1", null)]
    [InlineData("validTo", null, "367")]
    [InlineData("validTo", "0", "9999-12-31")]
    public async Task OrderOrdererRole_DateOutsideTheWindow_Returns400NamingTheFieldAndStoresNothing(string field, string? validFrom, string? validTo)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var response = await RequestFlow.OrderRoleAsync(App, Demo.Bertil,
            new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), validFrom = validFrom is null ? null : Date(validFrom), validTo = validTo is null ? null : Date(validTo) });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field == "validFrom" ? "Startdatum" : "Slutdatum", Assert.Single(problem.Errors(field)), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"an orderer-role order with {field} outside the window");
    }

    [Theory]
    [InlineData("9999-12-30", "9999-12-31")]
    [InlineData("400", "410")]
    public async Task CreateDelegation_StartOutsideTheWindow_Returns400NamingValidFromAndStoresNothing(string validFrom, string validTo)
    {
        // Arrange
        var before = await StoredState.SettledAsync(App);

        // Act
        using var anna = App.As(Demo.Anna);
        using var response = await anna.PostAsJsonAsync("/api/delegations", new { delegateId = Demo.Bertil, validFrom = Date(validFrom), validTo = Date(validTo) });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Startdatum", Assert.Single(problem.Errors("validFrom")), StringComparison.Ordinal);
        Assert.False(problem.HasErrorsFor("validTo"), problem.Body);
        await before.AssertUnchangedAsync(App, "a delegation starting outside the window");
    }
}

/// <summary>The same window on requests whose refusal is followed by more in the test, each on a devhost of its own.</summary>
public sealed class DateWindowFollowUpTests : IDisposable
{
    private const string Olle = "SE2321000131-E000000000099";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task OrderOrdererRole_ValidToEndOfCalendar_Returns400NamingValidToStoresNothingAndALaterOrderGoesThrough()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var before = await StoredState.SettledAsync(app);

        // Act: the last day of the calendar has no day after it for the role to end on.
        using var refused = await RequestFlow.OrderRoleAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), validTo = "9999-12-31" });
        var problem = await ProblemAssert.IsAsync(refused, HttpStatusCode.BadRequest);
        await before.AssertUnchangedAsync(app, "an orderer-role order ending 9999-12-31");
        var later = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), validTo = RequestFlow.Date(RequestFlow.Today.AddDays(30)) });

        // Assert: nothing of the refused order holds the unit; the later one waits for Anna, who has the email.
        Assert.Contains("Slutdatum", Assert.Single(problem.Errors("validTo")), StringComparison.Ordinal);
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), later.GetProperty("status").GetString());
        await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, later.GetProperty("orderId").GetString()!);
    }

    [Theory]
    [InlineData("endDate", "2026-01-01", "9999-12-31")]
    [InlineData("startDate", "1800-01-01", null)]
    [InlineData("startDate", "9999-12-31", null)]
    public async Task KivImport_EngagementDateOutsideTheWindow_Returns400NamingTheFieldAndStoresNothing(string field, string startDate, string? endDate)
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        using var kiv = app.AsKiv();
        var before = await StoredState.SettledAsync(app);
        var batch = new
        {
            identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" } },
            engagements = new[]
            {
                new { engagementId = "ENG-0098", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Läkare", startDate = "2026-01-01", endDate = (string?)null },
                new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Läkare", startDate, endDate },
            },
        };

        // Act
        using var response = await kiv.PostAsJsonAsync("/api/kiv/import", batch);

        // Assert: the row and the field are named, in the errors and in the detail.
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("intervallet", Assert.Single(problem.Errors($"engagements[1].{field}")), StringComparison.Ordinal);
        Assert.Contains($"engagements[1].{field}", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, $"a KiV batch with an engagement's {field} outside the window");
    }

    [Fact]
    public async Task KivImportInPages_EngagementEndingAtTheCalendarsEnd_RefusedNamingPageRowAndField()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        using var kiv = app.AsKiv();
        const string route = "/api/kiv/import?importId=KIV-DATES-1";
        using var first = await kiv.PostAsJsonAsync(route + "&page=1",
            new { identities = new[] { new { hsaId = Olle, givenName = "Olle", familyName = "Olsson", email = "olle.olsson@example.vgregion.se" } } });

        // Act
        using var last = await kiv.PostAsJsonAsync(route + "&page=2&lastPage=true",
            new { engagements = new[] { new { engagementId = "ENG-0099", hsaId = Olle, orgUnitId = "SU-AKUT", title = "Läkare", startDate = "2026-01-01", endDate = "9999-12-31" } } });

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var problem = await ProblemAssert.IsAsync(last, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors("pages[2].engagements[0].endDate"));
        Assert.Null(await app.Directory.GetIdentityAsync(Olle));
    }
}
