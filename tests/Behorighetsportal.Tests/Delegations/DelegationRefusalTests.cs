using System.Net;
using System.Text.Json;
using Behorighetsportal.Delegations;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Delegations;

/// <summary>
/// R8 refusals over HTTP on the devhost with the demo organisation: each is answered with a Swedish problem
/// and stores nothing — no delegation row, no audit entry, no durable instance, no email.
/// </summary>
public sealed class DelegationRefusalTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Create_ToSomeoneNotTheirReport_ForbiddenAndNothingStored()
    {
        // Arrange: Nils is Maria's report, in another administration.
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Nils, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(7)) },
            HttpStatusCode.Forbidden);
        Assert.Contains("närmaste chef", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ToReportOfTheirReport_ForbiddenAndNothingStored()
    {
        // Arrange: Gunilla manages Anna, not Bertil — only the nearest manager may delegate to someone.
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        await AssertRefusedAsync(app, Demo.Gunilla,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(7)) },
            HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Create_ToThemself_BadRequestAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Anna, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(7)) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "delegateId");
    }

    [Fact]
    public async Task Create_WithoutEndDate_BadRequestAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(DelegationFlow.Today) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "validTo");
    }

    [Fact]
    public async Task Create_WithoutStartDate_BadRequestAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validTo = DelegationFlow.Date(DelegationFlow.Today.AddDays(7)) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "validFrom");
    }

    [Fact]
    public async Task Create_EndBeforeStart_BadRequestAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today.AddDays(5)), validTo = DelegationFlow.Date(today.AddDays(4)) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "validTo");
    }

    [Fact]
    public async Task Create_StartInThePast_BadRequestAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today.AddDays(-1)), validTo = DelegationFlow.Date(today.AddDays(4)) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "validFrom");
    }

    [Fact]
    public async Task Create_LongerThanLimit_BadRequestAndNothingStored()
    {
        // Arrange: the limit is 366 days (Delegations:MaxPeriodDays); this period covers 367.
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(366)) },
            HttpStatusCode.BadRequest);
        AssertFieldError(problem, "validTo");
        Assert.Contains("366 dagar", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ExactlyTheLimit_AcceptedAndStored()
    {
        // Arrange: the other side of the limit: 366 days, first and last included.
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        var before = await StoredState.CaptureAsync(app);

        // Act
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today.AddDays(1), today.AddDays(366));

        // Assert: stored — which also shows that the "nothing stored" check of the refusals sees what a delegation writes.
        var stored = await DelegationFlow.GetAsync(app, id);
        Assert.Equal(today.AddDays(366), stored.ValidTo);
        var after = await StoredState.CaptureAsync(app);
        Assert.Equal(before.Delegations.Count + 2, after.Delegations.Count);
        Assert.Equal(before.AuditLog.Count + 1, after.AuditLog.Count);
        Assert.Contains(after.Instances, i => i.StartsWith(id + " ", StringComparison.Ordinal));
        Assert.Equal(before.Instances.Count + 1, after.Instances.Count);
    }

    [Fact]
    public async Task Create_ByNonManager_ForbiddenAndNothingStored()
    {
        // Arrange: Bertil manages no one; Eva is an orderer (SDA), which is not the manager role either.
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        var body = new { delegateId = Demo.Cecilia, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(7)) };

        // Act + Assert
        var problem = await AssertRefusedAsync(app, Demo.Bertil, body, HttpStatusCode.Forbidden);
        Assert.Contains("chef", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertRefusedAsync(app, Demo.Eva, body, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Create_NotSignedIn_UnauthorizedAndNothingStored()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;

        // Act + Assert
        await AssertRefusedAsync(app, null,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today), validTo = DelegationFlow.Date(today.AddDays(7)) },
            HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Create_OverlappingExistingDelegation_ConflictAndNothingStored()
    {
        // Arrange
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today.AddDays(2), today.AddDays(10));

        // Act + Assert
        await AssertRefusedAsync(app, Demo.Anna,
            new { delegateId = Demo.Bertil, validFrom = DelegationFlow.Date(today.AddDays(10)), validTo = DelegationFlow.Date(today.AddDays(12)) },
            HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Revoke_SomeoneElsesDelegation_NotFoundAndNothingChanged()
    {
        // Arrange: Anna's delegation to Bertil, active.
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today, today.AddDays(7));
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);
        await DelegationFlow.StartEmailAsync(app);
        var before = await StoredState.CaptureAsync(app);

        // Act: another manager, Anna's own manager, and the delegate himself try to revoke it; and an unknown id.
        var responses = new List<(string Who, HttpStatusCode Status, string Body)>();
        foreach (var (who, delegationId) in new[] { (Demo.Fredrik, id), (Demo.Gunilla, id), (Demo.Bertil, id), (Demo.Anna, "DEL-UNKNOWN") })
        {
            using var response = await DelegationFlow.RevokeAsync(app, who, delegationId);
            responses.Add((who, response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        // Assert: the same 404 as for an unknown id, and the delegation holds as before.
        Assert.All(responses, r => Assert.True(r.Status == HttpStatusCode.NotFound, $"{r.Who}: {(int)r.Status} {r.Body}"));
        Assert.All(responses, r => Assert.Equal("Delegeringen finns inte", JsonDocument.Parse(r.Body).RootElement.GetProperty("title").GetString()));
        await StoredState.AssertUnchangedAsync(app, before);
        Assert.Equal(DelegationStatus.Active, (await DelegationFlow.GetAsync(app, id)).Status);
        Assert.Contains(Demo.Anna, await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));
    }

    /// <summary>Posts the body as the caller, asserts the status and a Swedish problem, and that nothing was stored.</summary>
    private static async Task<JsonElement> AssertRefusedAsync(PortalApp app, string? caller, object body, HttpStatusCode expected)
    {
        var before = await StoredState.CaptureAsync(app);

        using var response = await DelegationFlow.PostAsync(app, caller, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        await StoredState.AssertUnchangedAsync(app, before);
        return problem;
    }

    private static void AssertFieldError(JsonElement problem, string field) =>
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"Expected an error for {field}: {problem}");
}
