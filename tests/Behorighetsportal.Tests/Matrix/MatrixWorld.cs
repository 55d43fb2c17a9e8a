using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Matrix;

/// <summary>
/// The world the authorization matrix runs in, set up once: the devhost in-process with the demo organisation on
/// Azurite (its own prefix) and a loopback SMTP inbox, and every kind of caller of <see cref="CallerKind"/>:
/// <list type="bullet">
/// <item>Anna manages Bertil, Cecilia (ordinary target) and Dalia (protected target) in SU-AKUT.</item>
/// <item>Bertil holds Anna's manager role through a delegation made over HTTP from today, waited on until Active.</item>
/// <item>Karin held it through a delegation whose lifecycle (the real orchestrator, instants a second away) has Ended.</item>
/// <item>Fredrik manages SU-IVA; Eva is orderer for SU-AKUT and SU-IVA (demo); Hugo is given an orderer role for
/// SU-IT only; Maria, manager in NU, an orderer role for NU; Johan, a nurse in SU-IVA, is SU's policy administrator.</item>
/// <item>Ylva, a protected actor (R10 for the people acting, not only the person a call is about): Anna's report, a
/// second active delegate of Anna and orderer for SU-IVA. She ordered for Hugo (Fredrik rejected it), approved Karin's
/// orderer role for SU-IT as Anna's delegate, and — in the test — approves the order for Cecilia that GET
/// /api/orders/{id} shows. Her name and HSA-id are for herself, Anna and Bertil only.</item>
/// </list>
/// Two changes to the demo let an attested order reach the initial-password link (R6) today: Cecilia's engagement
/// started yesterday instead of in 14 days, and Dalia's earlier user service has ended.
/// </summary>
public sealed class MatrixWorld : IAsyncLifetime
{
    public const string UnknownHsaId = "SE2321000131-E000000009999";
    public const string AnnaEmail = "anna.andersson@example.vgregion.se";
    public const string Ylva = "SE2321000131-E000000000013";
    public const string YlvaEmail = "ylva.yngvesson@example.vgregion.se";
    public const string FredrikEmail = "fredrik.falk@example.vgregion.se";

    /// <summary>What would name the protected actor: her names and her HSA-id.</summary>
    public static readonly string[] YlvaTraces = ["Ylva", "Yngvesson", Ylva];

    private static readonly string[] KarinsOrdererUnits = ["SU-IT"];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public SmtpInbox Inbox { get; } = new();

    public PortalApp App { get; private set; } = null!;

    public DateOnly Today { get; private set; }

    /// <summary>Anna's delegation to each target, days 60–70 from today: what DELETE /api/delegations/{id} revokes.</summary>
    public Dictionary<TargetKind, string> RevocableDelegation { get; } = [];

    public string ActiveDelegationId { get; private set; } = "";

    public string EndedDelegationId { get; private set; } = "";

    public TimeSpan SetupTime { get; private set; }

    public OrderRepository Orders => App.Services.GetRequiredService<OrderRepository>();

    public static string TargetId(TargetKind target) => target == TargetKind.Ordinary ? Demo.Cecilia : Demo.Dalia;

    public static string TargetGivenName(TargetKind target) => target == TargetKind.Ordinary ? "Cecilia" : "Dalia";

    public static string TargetTitle(TargetKind target) => target == TargetKind.Ordinary ? "Undersköterska" : "Läkare";

    public static string TargetEngagement(TargetKind target) => target == TargetKind.Ordinary ? Demo.CeciliaEngagement : Demo.DaliaEngagement;

    /// <summary>The HSA-id a caller signs in with, or null for anonymous and system callers.</summary>
    public static string? HsaIdOf(CallerKind caller, TargetKind target) => caller switch
    {
        CallerKind.Self => TargetId(target),
        CallerKind.LineManager => Demo.Anna,
        CallerKind.OtherUnitManager => Demo.Fredrik,
        CallerKind.ActiveDelegate => Demo.Bertil,
        CallerKind.ExpiredDelegate => Demo.Karin,
        CallerKind.OrdererInScope => Demo.Eva,
        CallerKind.OrdererOutOfScope => Demo.Hugo,
        CallerKind.OrdererOtherAdministration => Demo.Maria,
        CallerKind.PolicyAdministrator => Demo.Johan,
        _ => null,
    };

    /// <summary>
    /// R10: Dalia's name and details are for Dalia, her nearest manager Anna and Anna's active delegate Bertil. For
    /// every other caller, no answer — whatever its status — may name her.
    /// </summary>
    public static bool MaySeeProtected(CallerKind caller, TargetKind target) =>
        caller is CallerKind.LineManager or CallerKind.ActiveDelegate || (caller == CallerKind.Self && target == TargetKind.Protected);

    /// <summary>R10 for Ylva, the protected actor: her nearest manager Anna and Anna's active delegate Bertil (she calls nothing herself).</summary>
    public static bool MaySeeProtectedActor(CallerKind caller) => caller is CallerKind.LineManager or CallerKind.ActiveDelegate;

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An HTTP client that calls as this caller: a principal header, a key, or nothing.</summary>
    public HttpClient Client(CallerKind caller, TargetKind target)
    {
        var key = caller switch
        {
            CallerKind.Anonymous => "anonymous",
            CallerKind.Marknadsplatsen => "marknadsplatsen",
            CallerKind.Kiv => "kiv",
            CallerKind.SystemWrongKey => "system-wrong-key",
            _ => HsaIdOf(caller, target)!,
        };
        return _clients.GetOrAdd(key, _ => caller switch
        {
            CallerKind.Anonymous => App.As(null),
            CallerKind.Marknadsplatsen => App.AsMarknadsplatsen(),
            CallerKind.Kiv => App.AsKiv(),
            CallerKind.SystemWrongKey => App.AsIntegration("wrong-" + Demo.KivKey),
            _ => App.As(key),
        });
    }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        await AwayFromMidnightAsync();
        App = await StartedPortal.StartAsync(Inbox, new Dictionary<string, string?> { ["Policies:Administrators:SU"] = Demo.Johan });
        using (var anonymous = App.As(null))
        using (var health = await anonymous.GetAsync("/api/health"))
        {
            health.EnsureSuccessStatusCode();
        }

        Today = StockholmTime.Today(TimeProvider.System);

        // Cecilia's engagement started yesterday (not in 14 days), so an attested order for her activates today and
        // mails the initial-password link; Dalia's earlier user service ended, so hers needs a new password too (R6).
        var cecilia = (await App.Directory.GetPersonAsync(Demo.Cecilia))!;
        await App.Directory.UpsertEngagementAsync(cecilia.FindEngagement(Demo.CeciliaEngagement)! with { StartDate = Today.AddDays(-1) });
        var dalia = (await App.Directory.GetPersonAsync(Demo.Dalia))!;
        await App.Directory.UpsertUserServiceAsync(dalia.FindUserService(Demo.DaliaEngagement)! with
        {
            Status = UserServiceStatus.Ended,
            EndedOn = Today.AddDays(-1),
        });

        // The orderer out of scope (SU-IT, same administration) and the orderer of another administration (NU).
        await App.Directory.UpsertOrdererRoleAsync(new OrdererRole("SDA-MATRIX-HUGO", Demo.Hugo, "SU", ["SU-IT"], null, null));
        await App.Directory.UpsertOrdererRoleAsync(new OrdererRole("SDA-MATRIX-MARIA", Demo.Maria, "NU", ["NU"], null, null));

        // The active delegate: Anna delegates to Bertil from today, as a manager does (R8).
        ActiveDelegationId = await CreateDelegationAsync(Demo.Bertil, Today, Today.AddDays(7));
        await WaitForDelegationAsync(ActiveDelegationId, DelegationStatus.Active);

        await ProtectedActorActsAsync();

        // The expired delegate: Anna's delegation to Karin, its lifecycle run by the real orchestrator with instants a
        // moment away instead of two Swedish midnights, until it has Ended.
        EndedDelegationId = "DEL-MATRIXKARIN" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var delegations = App.Services.GetRequiredService<DelegationRepository>();
        await delegations.CreateAsync(new Delegation(EndedDelegationId, Demo.Anna, Demo.Karin, Today, Today, DelegationStatus.Scheduled, DateTimeOffset.UtcNow));
        var now = DateTime.UtcNow;
        await App.Durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationLifecycleOrchestrator),
            new DelegationLifecycleInput(EndedDelegationId, Demo.Anna, now.AddMilliseconds(200), now.AddMilliseconds(1500)),
            new StartOrchestrationOptions(EndedDelegationId));
        await WaitForDelegationAsync(EndedDelegationId, DelegationStatus.Ended);

        // What DELETE /api/delegations/{id} revokes: Anna's delegation to each target, well in the future.
        foreach (var target in AuthorizationMatrix.Targets)
        {
            RevocableDelegation[target] = await CreateDelegationAsync(TargetId(target), Today.AddDays(60), Today.AddDays(70));
        }

        // One client per caller, made before cells are called concurrently (a flawed caller uses another's).
        foreach (var caller in AuthorizationMatrix.Callers.Where(c => !AuthorizationMatrix.IsFlawed(c)))
        {
            foreach (var target in AuthorizationMatrix.Targets)
            {
                Client(caller, target);
            }
        }

        await StoredState.SettledAsync(App);
        SetupTime = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await App.DisposeAsync();
        Inbox.Dispose();
    }

    /// <summary>
    /// Ylva comes to be as KiV would have her (protected, in SU-AKUT under Anna) with an orderer role for SU-IVA, and acts
    /// over HTTP: Anna delegates to her; she orders for Hugo, and Fredrik rejects it from his link (so nothing of it waits
    /// through the run); Karin orders the orderer role for SU-IT (a unit without people, so it changes none of Karin's
    /// cells) and Ylva approves it from her link as Anna's delegate, which Karin's assignments then tell.
    /// </summary>
    private async Task ProtectedActorActsAsync()
    {
        await App.Directory.UpsertIdentityAsync(new Identity(Ylva, "Ylva", "Yngvesson", YlvaEmail, Protected: true));
        await App.Directory.UpsertEngagementAsync(new Engagement("ENG-MATRIX-YLVA", Ylva, "SU-AKUT", "Sekreterare", Today.AddDays(-300), null, Demo.Anna));
        await App.Directory.UpsertOrdererRoleAsync(new OrdererRole("SDA-MATRIX-YLVA", Ylva, "SU", ["SU-IVA"], null, null));
        await WaitForDelegationAsync(await CreateDelegationAsync(Ylva, Today, Today.AddDays(7)), DelegationStatus.Active);

        var hugosOrder = await PlaceOrderAsync(Ylva, Demo.Hugo, Demo.HugoEngagement);
        await DecideFromLinkAsync(Demo.Fredrik, FredrikEmail, hugosOrder, "reject");
        await WaitForOrderAsync(hugosOrder, OrderStatus.Rejected);

        using var karin = App.As(Demo.Karin);
        using var ordered = await karin.PostAsJsonAsync("/api/orderer-roles", new { orgUnitIds = KarinsOrdererUnits });
        var body = await ordered.Content.ReadAsStringAsync();
        Assert.True(ordered.StatusCode == HttpStatusCode.Accepted, $"Preparing Karin's orderer role: {(int)ordered.StatusCode} {body}");
        var roleId = JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
        await DecideFromLinkAsync(Ylva, YlvaEmail, Demo.Karin + "|" + roleId, "approve");
        await EventuallyAsync(async () => (await App.Directory.GetPersonAsync(Demo.Karin))!.OrdererRoles.Any(r => r.RoleId == roleId), $"Karin's orderer role {roleId}");
    }

    /// <summary>Ylva approves, from the link mailed to her as Anna's delegate, the order GET /api/orders/{id} shows for Cecilia.</summary>
    public async Task ProtectedActorApprovesAsync(string orderId)
    {
        await DecideFromLinkAsync(Ylva, YlvaEmail, orderId, "approve");
        await WaitForOrderAsync(orderId, OrderStatus.PendingAttestation);
    }

    /// <summary>Decides, as <paramref name="caller"/>, from the approval link mailed to them about <paramref name="subject"/>.</summary>
    private async Task DecideFromLinkAsync(string caller, string email, string subject, string decision)
    {
        const string prefix = "http://localhost/api/approvals/";
        var mailed = await Inbox.WaitForAsync(m => string.Equals(m.To, email, StringComparison.OrdinalIgnoreCase)
            && m.Text.Contains(prefix, StringComparison.Ordinal) && OrderFlow.TokenSubject(m.Link(prefix)) == subject);
        using var client = App.As(caller);
        using var response = await PageForm.SubmitAsync(client, new Uri(mailed.Link(prefix)).PathAndQuery, ("decision", decision));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Preparing: {caller} decides {subject}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<string> PlaceOrderAsync(string orderer, string identityId, string engagementId)
    {
        using var client = App.As(orderer);
        using var response = await client.PostAsJsonAsync("/api/orders", new { identityId, engagementId, level = "Standard", startDate = Date(Today) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Preparing an order by {orderer} for {identityId}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
    }

    /// <summary>
    /// As <see cref="PlaceOrderAsync(string, TargetKind)"/>, once the engagement is free: an order that has just ended
    /// (rejected in its workflow) releases its claim a moment after its status shows it.
    /// </summary>
    public async Task<string> PlaceOrderWhenFreeAsync(string orderer, TargetKind target)
    {
        var clock = Stopwatch.StartNew();
        var (status, body) = await PostOrderAsync(orderer, target);
        while (status == HttpStatusCode.Conflict && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            (status, body) = await PostOrderAsync(orderer, target);
        }

        Assert.True(status == HttpStatusCode.Accepted, $"Preparing an order by {orderer} for {target}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
    }

    /// <summary>The pages the devhost maps (API.md "Pages"), as "METHOD /route"; its dev-only sign-in aside.</summary>
    public IReadOnlyList<string> ServedPages() =>
        App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => (Route: (e.RoutePattern.RawText ?? "").TrimStart('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(e => !e.Route.StartsWith("api/", StringComparison.Ordinal) && e.Route != "dev" && !e.Route.StartsWith("dev/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => $"{m} /{e.Route}"))
            .ToList();

    /// <summary>POST /api/orders as <paramref name="orderer"/> for the target's engagement, from today; returns the order id.</summary>
    public async Task<string> PlaceOrderAsync(string orderer, TargetKind target)
    {
        var (status, body) = await PostOrderAsync(orderer, target);
        Assert.True(status == HttpStatusCode.Accepted, $"Preparing an order by {orderer} for {target}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostOrderAsync(string orderer, TargetKind target)
    {
        using var client = App.As(orderer);
        using var response = await client.PostAsJsonAsync("/api/orders", new
        {
            identityId = TargetId(target),
            engagementId = TargetEngagement(target),
            level = "Standard",
            startDate = Date(Today),
            comment = "Behörighetsmatris",
        });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POST /api/orders/{id}/cancel as <paramref name="caller"/>; fails unless it is accepted.</summary>
    public async Task CancelOrderAsync(string caller, string orderId)
    {
        using var client = App.As(caller);
        using var response = await client.PostAsync($"/api/orders/{orderId}/cancel", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Cancelling {orderId} as {caller}: {(int)response.StatusCode} {body}");
    }

    public async Task WaitForOrderAsync(string orderId, OrderStatus status)
    {
        await EventuallyAsync(async () => (await Orders.GetAsync(orderId))?.Status == status, $"order {orderId} to reach {status}");
    }

    /// <summary>The token of the link Anna was mailed for the order, under /api/approvals/ or /api/passwords/.</summary>
    public async Task<string> TokenMailedToAnnaAsync(string route, string orderId)
    {
        var prefix = $"http://localhost/api/{route}/";
        var email = await Inbox.WaitForAsync(m => string.Equals(m.To, AnnaEmail, StringComparison.OrdinalIgnoreCase)
            && m.Text.Contains(prefix, StringComparison.Ordinal)
            && !m.Subject.StartsWith("Påminnelse", StringComparison.Ordinal)
            && OrderFlow.TokenSubject(m.Link(prefix)) == orderId);
        var link = email.Link(prefix);
        return link[(link.LastIndexOf('/') + 1)..];
    }

    private async Task<string> CreateDelegationAsync(string deputy, DateOnly validFrom, DateOnly validTo)
    {
        using var client = App.As(Demo.Anna);
        using var response = await client.PostAsJsonAsync("/api/delegations", new { delegateId = deputy, validFrom = Date(validFrom), validTo = Date(validTo) });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Preparing Anna's delegation to {deputy}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("delegationId").GetString()!;
    }

    private async Task WaitForDelegationAsync(string delegationId, DelegationStatus status)
    {
        var delegations = App.Services.GetRequiredService<DelegationRepository>();
        await EventuallyAsync(async () =>
        {
            var given = await delegations.GetGivenAsync(Demo.Anna, delegationId);
            if (given?.Status != status)
            {
                return false;
            }

            // The delegate's row is what rights are checked against: it must say the same.
            var received = await delegations.ListReceivedAsync(given.DelegateId);
            return received.Any(d => d.DelegationId == delegationId && d.Status == status);
        }, $"delegation {delegationId} to reach {status}");
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The matrix reasons in one Swedish day (today's orders, today's delegation): not across midnight.</summary>
    private static async Task AwayFromMidnightAsync()
    {
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, StockholmTime.Zone);
        var untilMidnight = now.Date.AddDays(1) - now.DateTime;
        if (untilMidnight < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(untilMidnight + TimeSpan.FromSeconds(2));
        }
    }
}
