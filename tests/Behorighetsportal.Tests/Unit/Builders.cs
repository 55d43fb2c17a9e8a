using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Links;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Tests.Unit;

/// <summary>Small builders for directory and order data: valid defaults, change what the test is about.</summary>
public static class A
{
    public const string Manager = "SE2321000131-E000000000002";
    public const string Employee = "SE2321000131-E000000000003";
    public const string Orderer = "SE2321000131-E000000000006";
    public const string Stranger = "SE2321000131-E000000000099";

    /// <summary>A fixed "today" for rules that take a date.</summary>
    public static readonly DateOnly Today = new(2026, 3, 2);

    /// <summary>The demo tree: SU &gt; SU-MED &gt; SU-AKUT/SU-IVA, SU &gt; SU-IT; NU &gt; NU-ORTO.</summary>
    public static OrgTree DemoTree() => new(
    [
        new OrgUnit("SU", "Sahlgrenska Universitetssjukhuset", "SU", null),
        new OrgUnit("SU-MED", "Medicinkliniken", "SU", "SU"),
        new OrgUnit("SU-AKUT", "Akutmottagningen", "SU", "SU-MED"),
        new OrgUnit("SU-IVA", "Intensivvårdsavdelningen", "SU", "SU-MED"),
        new OrgUnit("SU-IT", "IT-enheten", "SU", "SU"),
        new OrgUnit("NU", "NU-sjukvården", "NU", null),
        new OrgUnit("NU-ORTO", "Ortopedkliniken", "NU", "NU"),
    ]);

    public static Identity Identity(string hsaId = Employee, bool isProtected = false) =>
        new(hsaId, "Bertil", "Berg", "bertil.berg@example.vgregion.se", isProtected);

    public static Engagement Engagement(
        string engagementId = "ENG-1",
        string hsaId = Employee,
        string orgUnitId = "SU-AKUT",
        DateOnly? start = null,
        DateOnly? end = null,
        string? managerHsaId = Manager) =>
        new(engagementId, hsaId, orgUnitId, "Sjuksköterska", start ?? Today.AddDays(-100), end, managerHsaId);

    public static UserService UserService(
        string engagementId = "ENG-1",
        UserServiceStatus status = UserServiceStatus.Active,
        string hsaId = Employee,
        string level = "Standard") =>
        new(hsaId, engagementId, level, status, Today.AddDays(-100), status == UserServiceStatus.Active ? null : Today.AddDays(-10), null);

    public static OrdererRole OrdererRole(
        string administration = "SU",
        IReadOnlyList<string>? orgUnitIds = null,
        DateOnly? validFrom = null,
        DateOnly? validTo = null,
        string hsaId = Orderer) =>
        new("SDA-1", hsaId, administration, orgUnitIds ?? ["SU-AKUT"], validFrom, validTo);

    public static Person Person(
        Identity? identity = null,
        IReadOnlyList<Engagement>? engagements = null,
        IReadOnlyList<UserService>? userServices = null) =>
        new(identity ?? Identity(), engagements ?? [Engagement()], userServices ?? [], []);

    /// <summary>A person of the demo organisation as the directory would return them on <paramref name="today"/>.</summary>
    public static Person DemoPerson(string hsaId, DateOnly today)
    {
        var demo = DemoOrganization.Load(today);
        return new Person(
            demo.Identities.Single(i => i.HsaId == hsaId),
            demo.Engagements.Where(e => e.HsaId == hsaId).ToList(),
            demo.UserServices.Where(s => s.HsaId == hsaId).ToList(),
            demo.OrdererRoles.Where(r => r.HsaId == hsaId).ToList());
    }

    public static ServiceLevelCatalog Levels() => new(DemoOrganization.LoadServiceLevels());

    public static PlaceOrderRequest OrderRequest(
        string? identityId = Employee,
        string? engagementId = "ENG-1",
        string? level = "Standard",
        string? startDate = "2026-03-10",
        string? comment = null) =>
        new(identityId, engagementId, level, startDate, comment);

    public const string SigningKey = "unit-test-signing-key-0123456789abcdef";

    /// <summary>The signing keys: <paramref name="signingKey"/> current, <paramref name="previous"/> (comma-separated) still accepted.</summary>
    public static SigningKeyRing KeyRing(string signingKey = SigningKey, string previous = "") =>
        SigningKeyRing.From(new LinkOptions { SigningKey = signingKey, PreviousSigningKeys = previous });

    /// <summary>A request with the given headers on a fresh HTTP context.</summary>
    public static HttpRequest Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }
}

/// <summary>A clock that stands still until the test moves it.</summary>
public sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>What an <see cref="IResult"/> wrote when executed against an in-memory HTTP context.</summary>
public sealed record WrittenResponse(int Status, string? ContentType, JsonElement Body)
{
    public static async Task<WrittenResponse> ExecuteAsync(IResult result)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;

        await result.ExecuteAsync(context);

        body.Position = 0;
        using var document = await JsonDocument.ParseAsync(body);
        return new WrittenResponse(context.Response.StatusCode, context.Response.ContentType, document.RootElement.Clone());
    }

    public string? Text(string property) =>
        Body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The keys of the problem's <c>errors</c> object, sorted.</summary>
    public IReadOnlyList<string> ErrorKeys() =>
        Body.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList()
            : [];
}
