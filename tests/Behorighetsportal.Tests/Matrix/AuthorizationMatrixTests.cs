using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Behorighetsportal.Tests.Matrix.MatrixWorld;

namespace Behorighetsportal.Tests.Matrix;

/// <summary>
/// The authorization matrix of <see cref="AuthorizationMatrix"/> run against the devhost's HTTP surface (real routing,
/// binding and authentication: the X-MS-CLIENT-PRINCIPAL header and x-functions-key) on Azurite. Every cell must get
/// exactly its expected status; every denied cell (any status that is not 2xx) must leave storage, queue, durable
/// instances and the inbox as they were (<see cref="StoredState"/>); no answer to a caller who may not see Dalia may
/// name her (body or headers), nor may any email to such a person; the same for Ylva, the protected actor of
/// <see cref="MatrixWorld"/> — by name or HSA-id — whose acts other callers read about; and a 404 must be the very 404
/// an unknown id gets, apart from the id. Two callers send what someone permitted would, with a flaw: from a page of
/// another site (every state-changing route: 403) and with the body as <c>text/plain</c> (415) — forged requests (CSRF)
/// change nothing either. The world is set up once (<see cref="MatrixWorld"/>); the routes run in steps that prepare what
/// the next cells act on (an order waiting for approval, the links mailed to Anna), denied cells before permitted ones.
/// </summary>
public sealed class AuthorizationMatrixTests(MatrixWorld world, ITestOutputHelper output) : IClassFixture<MatrixWorld>
{
    /// <summary>
    /// Cells that fail because of a known product bug, as "METHOD /route|Caller|Target". Such a cell keeps its correct
    /// expectation; its failures are reported, not failed on. A listed cell that passes fails the test, so the list
    /// is cleaned when the bug is fixed.
    /// </summary>
    private static readonly HashSet<string> KnownBugs = new(StringComparer.Ordinal)
    {
    };

    private static readonly string[] ProtectedNames = ["Dalia", "Dahl"];
    private static readonly string[] MaySeeDaliaEmails = ["anna.andersson@", "bertil.berg@", "dalia.dahl@", "ylva.yngvesson@"];
    private static readonly string[] MaySeeYlvaEmails = ["anna.andersson@", "bertil.berg@", "ylva.yngvesson@"];
    private static readonly TimeSpan LateEffectsWindow = TimeSpan.FromMilliseconds(300);
    private static readonly bool SnapshotEachCell = Environment.GetEnvironmentVariable("MATRIX_SNAPSHOT_EACH_CELL") == "1";
    private const string UnknownOrderId = "ORD-0000000000000000";
    private const string UnknownDelegationId = "DEL-0000000000000000";

    private readonly List<CellResult> _results = [];
    private readonly List<string> _general = [];
    private readonly HashSet<string> _ran = new(StringComparer.Ordinal);
    private readonly Dictionary<TargetKind, string> _importId = [];
    private readonly List<string> _timings = [];
    private List<RouteRow> _rows = [];
    private int _reads;
    private TimeSpan _readTime;
    private TimeSpan _settleTime;
    private long _httpTicks;

    // Prepared objects, per target: the order GET shows, the order the next cancel acts on (null once cancelled), the
    // order taken through approval, attestation and activation, and the links mailed to Anna for it.
    private readonly Dictionary<TargetKind, string> _shownOrder = [];
    private readonly Dictionary<TargetKind, string?> _openOrder = [];
    private readonly Dictionary<TargetKind, string> _flowOrder = [];
    private readonly Dictionary<TargetKind, string> _approvalToken = [];
    private readonly Dictionary<TargetKind, string> _passwordToken = [];
    private readonly Dictionary<TargetKind, string?> _decisionOrder = [];
    private readonly Dictionary<TargetKind, string> _pageDelegation = [];

    /// <summary>The stored state as last seen at rest; null once something may be moving (a permitted call, a preparation).</summary>
    private StoredState? _atRest;

    [Fact]
    public async Task EveryRouteCallerAndTarget_ExactStatus_DeniedChangesNothing_ProtectedNameNeverLeaks()
    {
        var clock = Stopwatch.StartNew();

        // Every route the hosts serve has a row; a row whose route is not served (yet) is left out and named.
        var served = PortalRoutes.All.Select(r => $"{r.Method} /{r.Route}").Concat(world.ServedPages()).ToHashSet(StringComparer.Ordinal);
        _rows = AuthorizationMatrix.Routes.Where(r => served.Contains(r.Name)).ToList();
        foreach (var route in served.Except(AuthorizationMatrix.Routes.Select(r => r.Name)).Order(StringComparer.Ordinal))
        {
            _general.Add($"{route} is served but has no row in the authorization matrix");
        }

        output.WriteLine($"Authorization matrix: {_rows.Count} routes × {AuthorizationMatrix.Callers.Count} callers × " +
                         $"{AuthorizationMatrix.Targets.Count} targets = {CellCount} cells");
        foreach (var row in AuthorizationMatrix.Routes.Where(r => !served.Contains(r.Name)))
        {
            output.WriteLine($"(not served by this build, left out: {row.Name})");
        }

        var drivers = Drivers();

        try
        {
            // 1. Routes about people and roles, before any order: no permitted cell here changes what another one answers.
            await StepAsync(drivers, ("GET", "api/health"), ("GET", "api/me"), ("GET", "api/me/assignments"), ("GET", "api/identities"),
                ("GET", "api/identities/{hsaId}"), ("POST", "api/delegations"), ("GET", "api/delegations"), ("DELETE", "api/delegations/{delegationId}"),
                ("POST", "api/orderer-roles"), ("POST", "api/amu-applications"), ("GET", "api/policies"), ("POST", "api/policies/{policyId}/preview"),
                ("GET", "assets/{name}"), ("GET", ""), ("GET", "losenord"), ("GET", "godkannanden"), ("GET", "bestall"), ("GET", "bestallningar"),
                ("GET", "bestallarroll"), ("POST", "bestallarroll"), ("GET", "delegeringar"), ("POST", "delegeringar"), ("GET", "amu"),
                ("GET", "policyer"), ("GET", "policyer/{policyId}"), ("POST", "policyer/{policyId}"),
                ("GET", "min-profil"), ("GET", "personer"), ("GET", "personer/{hsaId}"));

            // Applying from the AMU page for the groups the route's cells applied for.
            await StepAsync(drivers, ("POST", "amu"));

            // Revoking, from the page, the delegation its form made.
            await StepAsync(drivers, ("POST", "delegeringar/{delegationId}/aterkalla"));

            // 2. Placing orders while no order holds the engagement, over JSON and from the order page; each accepted one is
            // cancelled at once.
            await StepAsync(drivers, ("POST", "api/orders"), ("POST", "bestall"));

            // 3. An order per target: Cecilia's by Eva, approved by Ylva (the protected actor, as Anna's delegate); Dalia's
            // by Dalia herself, waiting for Anna.
            foreach (var target in AuthorizationMatrix.Targets)
            {
                _shownOrder[target] = await world.PlaceOrderAsync(OrdererOf(target), target);
                _openOrder[target] = _shownOrder[target];
            }

            await world.ProtectedActorApprovesAsync(_shownOrder[TargetKind.Ordinary]);

            _atRest = null;
            await StepAsync(drivers, ("GET", "api/orders/{orderId}"), ("GET", "api/me/approvals"), ("GET", "bestallningar/{orderId}"), ("GET", "bestall/klar"),
                ("POST", "api/orders/{orderId}/cancel"));

            // The same from the order page: an open order per target to cancel (each permitted cell on a fresh one).
            foreach (var target in AuthorizationMatrix.Targets)
            {
                _openOrder[target] = await world.PlaceOrderWhenFreeAsync(OrdererOf(target), target);
            }

            _atRest = null;
            await StepAsync(drivers, ("POST", "bestallningar/{orderId}/avbryt"));

            // Rejecting from the approvals page: an order per target waiting for Anna (each permitted cell on a fresh one).
            foreach (var target in AuthorizationMatrix.Targets)
            {
                _decisionOrder[target] = await world.PlaceOrderWhenFreeAsync(OrdererOf(target), target);
            }

            // The pending-approvals index is cleaned as it is read (ApprovalQueue drops what was decided or cancelled
            // meanwhile), and every denied cell's browser reads its form first: read each queue once beforehand, so the
            // snapshot is taken of a clean index and a denied cell's form read shows up as no change.
            foreach (var caller in AuthorizationMatrix.Callers.Where(c => HsaIdOf(c, TargetKind.Ordinary) is not null))
            {
                foreach (var target in AuthorizationMatrix.Targets)
                {
                    using var _ = await world.Client(caller, target).GetAsync("/godkannanden");
                }
            }

            _atRest = null;
            await StepAsync(drivers, ("POST", "godkannanden"));

            // 4. An order per target through Anna's approval link, Marknadsplatsen's attestation, activation today and the
            // initial-password link mailed to Anna.
            foreach (var target in AuthorizationMatrix.Targets)
            {
                _flowOrder[target] = await world.PlaceOrderAsync(OrdererOf(target), target);
                _approvalToken[target] = await world.TokenMailedToAnnaAsync("approvals", _flowOrder[target]);
            }

            _atRest = null;
            await StepAsync(drivers, ("GET", "api/approvals/{token}"), ("POST", "api/approvals/{token}"));
            foreach (var target in AuthorizationMatrix.Targets)
            {
                await world.WaitForOrderAsync(_flowOrder[target], OrderStatus.PendingAttestation);
            }

            await StepAsync(drivers, ("POST", "api/attestations/{orderId}"));
            foreach (var target in AuthorizationMatrix.Targets)
            {
                await world.WaitForOrderAsync(_flowOrder[target], OrderStatus.Active);
                _passwordToken[target] = await world.TokenMailedToAnnaAsync("passwords", _flowOrder[target]);
            }

            await StepAsync(drivers, ("GET", "api/passwords/{token}"), ("POST", "api/passwords/{token}"));

            // 5. Last, what re-evaluates or re-imports people: saving a policy, a KiV import (then its progress).
            await StepAsync(drivers, ("PUT", "api/policies/{policyId}"), ("POST", "api/kiv/import"));
            await StepAsync(drivers, ("GET", "api/kiv/imports/{importId}"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A preparation that fails (most likely because of a cell that went wrong before it) still shows the matrix so far.
            _general.Add($"the run stopped early: {e.GetType().Name}: {e.Message}");
        }

        // R10 for emails too: whoever was mailed during the run and may not see Dalia was not told her name.
        await StoredState.SettledAsync(world.App);
        foreach (var email in world.Inbox.Messages.Where(m => !MaySeeDaliaEmails.Any(a => m.To.StartsWith(a, StringComparison.OrdinalIgnoreCase))))
        {
            foreach (var name in ProtectedNames.Where(n => (email.Subject + email.Text + email.Html).Contains(n, StringComparison.OrdinalIgnoreCase)))
            {
                _general.Add($"email to {email.To} ('{email.Subject}') names '{name}'");
            }
        }

        foreach (var email in world.Inbox.Messages.Where(m => !MaySeeYlvaEmails.Any(a => m.To.StartsWith(a, StringComparison.OrdinalIgnoreCase))))
        {
            foreach (var trace in YlvaTraces.Where(n => (email.Subject + email.Text + email.Html).Contains(n, StringComparison.OrdinalIgnoreCase)))
            {
                _general.Add($"email to {email.To} ('{email.Subject}') carries '{trace}' of the protected actor");
            }
        }

        Report(clock.Elapsed);
    }

    /// <summary>How to call each route for a caller and a target, and what to do around its permitted cells.</summary>
    private Dictionary<string, Driver> Drivers()
    {
        var today = world.Today;
        return new Dictionary<string, Driver>(StringComparer.Ordinal)
        {
            ["GET /api/health"] = new((_, _) => Get("/api/health")),
            ["GET /api/me"] = new((_, _) => Get("/api/me")),
            ["GET /api/me/assignments"] = new((_, _) => Get("/api/me/assignments")),
            ["GET /api/me/approvals"] = new((_, _) => Get("/api/me/approvals")),
            ["GET /api/identities"] = new((_, t) => Get("/api/identities?q=" + TargetGivenName(t))),
            ["GET /api/identities/{hsaId}"] = new(
                (_, t) => Get($"/api/identities/{TargetId(t)}", TargetId(t)),
                Unknown: (_, _) => Get($"/api/identities/{UnknownHsaId}", UnknownHsaId)),
            ["POST /api/orders"] = new(
                (_, t) => Post("/api/orders", OrderBody(TargetId(t), t), TargetId(t)),
                Unknown: (_, t) => Post("/api/orders", OrderBody(UnknownHsaId, t), UnknownHsaId),
                AfterSuccess: (_, _, answer) => world.CancelOrderAsync(Demo.Anna, OrderIdIn(answer))),
            ["GET /api/orders/{orderId}"] = new(
                (_, t) => Get($"/api/orders/{_shownOrder[t]}", _shownOrder[t]),
                Unknown: (_, _) => Get($"/api/orders/{UnknownOrderId}", UnknownOrderId)),
            ["POST /api/orders/{orderId}/cancel"] = new(
                (_, t) => Post($"/api/orders/{_openOrder[t]}/cancel", null, _openOrder[t]),
                Unknown: (_, _) => Post($"/api/orders/{UnknownOrderId}/cancel", null, UnknownOrderId),
                BeforePermitted: async (_, t) => _openOrder[t] ??= await world.PlaceOrderAsync(OrdererOf(t), t),
                AfterSuccess: (_, t, _) =>
                {
                    _openOrder[t] = null;
                    return Task.CompletedTask;
                }),
            ["GET /api/approvals/{token}"] = new((_, t) => Get($"/api/approvals/{_approvalToken[t]}")),
            ["POST /api/approvals/{token}"] = new((_, t) => Form($"/api/approvals/{_approvalToken[t]}", ("decision", "approve"))),
            ["POST /api/attestations/{orderId}"] = new((_, t) => Post($"/api/attestations/{_flowOrder[t]}",
                new { decision = "approved", attestant = "Ekonomi Ekonomsson", reference = "MP-MATRIX" }, _flowOrder[t])),
            ["GET /api/passwords/{token}"] = new((_, t) => Get($"/api/passwords/{_passwordToken[t]}")),
            ["POST /api/passwords/{token}"] = new((_, t) => Form($"/api/passwords/{_passwordToken[t]}", ("show", "yes"))),
            ["POST /api/delegations"] = new((_, t) => Post("/api/delegations",
                new { delegateId = TargetId(t), validFrom = Date(today.AddDays(30)), validTo = Date(today.AddDays(40)) })),
            ["GET /api/delegations"] = new((_, _) => Get("/api/delegations")),
            ["DELETE /api/delegations/{delegationId}"] = new(
                (_, t) => new Call(HttpMethod.Delete, $"/api/delegations/{world.RevocableDelegation[t]}", null, world.RevocableDelegation[t]),
                Unknown: (_, _) => new Call(HttpMethod.Delete, $"/api/delegations/{UnknownDelegationId}", null, UnknownDelegationId)),
            ["POST /api/orderer-roles"] = new(
                (c, t) => Post("/api/orderer-roles", OrdererRoleBody(c, TargetId(t), today), TargetId(t)),
                Unknown: (c, _) => Post("/api/orderer-roles", OrdererRoleBody(c, UnknownHsaId, today), UnknownHsaId)),
            ["POST /api/amu-applications"] = new((_, t) => Post("/api/amu-applications", new
            {
                groupIds = new[] { t == TargetKind.Ordinary ? "AMU-SU-AKUT-SCHEMA" : "AMU-SU-MED-LAKEMEDEL" },
                motivation = "Behörighetsmatris",
            })),
            ["GET /api/policies"] = new((_, _) => Get("/api/policies")),
            ["PUT /api/policies/{policyId}"] = new((_, t) => new Call(HttpMethod.Put, $"/api/policies/{PolicyId(t)}", () => JsonContent.Create(PolicyBody(t)))),
            ["POST /api/policies/{policyId}/preview"] = new((_, t) => Post($"/api/policies/{PolicyId(t)}/preview", PolicyBody(t))),
            ["POST /api/kiv/import"] = new(
                (_, t) => Post("/api/kiv/import", new { identities = new[] { KivIdentity(t) } }),
                AfterSuccess: (_, t, answer) =>
                {
                    using var document = JsonDocument.Parse(answer.Body);
                    _importId[t] = document.RootElement.GetProperty("importId").GetString()!;
                    return Task.CompletedTask;
                }),
            ["GET /api/kiv/imports/{importId}"] = new((_, t) => Get($"/api/kiv/imports/{ImportOf(t)}", ImportOf(t))),

            // The pages.
            ["GET /assets/{name}"] = new((_, _) => Get("/assets/portal.css")),
            ["GET /"] = new((_, _) => Get("/")),
            ["GET /losenord"] = new((_, _) => Get("/losenord")),
            ["GET /godkannanden"] = new((_, _) => Get("/godkannanden")),
            ["POST /godkannanden"] = new(
                (_, t) => Form("/godkannanden", ("item", "Order|" + _decisionOrder[t]), ("decision", "reject"), ("motivering", "Behörighetsmatris")),
                BeforePermitted: async (_, t) => _decisionOrder[t] ??= await world.PlaceOrderWhenFreeAsync(OrdererOf(t), t),
                AfterSuccess: async (_, t, _) =>
                {
                    await world.WaitForOrderAsync(_decisionOrder[t]!, OrderStatus.Rejected);
                    _decisionOrder[t] = null;
                }),
            ["GET /bestall"] = new((_, _) => Get("/bestall")),
            ["POST /bestall"] = new(
                (_, t) => Form("/bestall", ("val", TargetId(t) + "|" + TargetEngagement(t)), ("niva", "Standard"), ("startdatum", Date(today)),
                    ("kommentar", "Behörighetsmatris"), ("steg", "skicka")),
                AfterSuccess: (_, _, answer) => world.CancelOrderAsync(Demo.Anna, PlacedOrderIn(answer))),
            ["GET /bestall/klar"] = new((_, t) => Get("/bestall/klar?order=" + _shownOrder[t], _shownOrder[t])),
            ["GET /bestallningar"] = new((_, _) => Get("/bestallningar")),
            ["GET /bestallarroll"] = new((_, _) => Get("/bestallarroll")),
            ["GET /delegeringar"] = new((_, _) => Get("/delegeringar")),
            ["GET /amu"] = new((_, _) => Get("/amu")),
            ["GET /min-profil"] = new((_, _) => Get("/min-profil")),
            // The page shows the query back in its search field (and a sign-in redirect carries it), so it searches by a
            // beginning of the family name that is no name of the target's: whatever then names her is the page's doing.
            ["GET /personer"] = new((_, t) => Get("/personer?q=" + (t == TargetKind.Ordinary ? "Carls" : "Dah"))),
            ["GET /personer/{hsaId}"] = new(
                (_, t) => Get($"/personer/{TargetId(t)}", TargetId(t)),
                Unknown: (_, _) => Get($"/personer/{UnknownHsaId}", UnknownHsaId)),
            ["GET /policyer"] = new((_, _) => Get("/policyer")),
            ["GET /policyer/{policyId}"] = new((_, _) => Get("/policyer/POL-SU-VARD")),
            ["POST /policyer/{policyId}"] = new((_, t) => Form("/policyer/POL-SU-VARD", ("enhet", "SU-AKUT"), ("titlar", TargetTitle(t)), ("niva", "Utökad"),
                ("prioritet", "10"), ("steg", "granska"))),
            ["POST /amu"] = new((_, t) => Form("/amu", ("grupp", t == TargetKind.Ordinary ? "AMU-SU-AKUT-SCHEMA" : "AMU-SU-MED-LAKEMEDEL"), ("motivering", "Behörighetsmatris"))),
            ["POST /delegeringar"] = new(
                (_, t) => Form("/delegeringar", ("delegat", TargetId(t)), ("startdatum", Date(today.AddDays(45))), ("slutdatum", Date(today.AddDays(50)))),
                AfterSuccess: (_, t, answer) =>
                {
                    _pageDelegation[t] = System.Text.RegularExpressions.Regex.Match(answer.Headers, "delegerad=(?<id>DEL-[0-9A-Za-z]+)").Groups["id"].Value;
                    return Task.CompletedTask;
                }),
            ["POST /delegeringar/{delegationId}/aterkalla"] = new(
                (_, t) => Form($"/delegeringar/{PageDelegationOf(t)}/aterkalla", [], PageDelegationOf(t)),
                Unknown: (_, _) => Form($"/delegeringar/{UnknownDelegationId}/aterkalla", [], UnknownDelegationId)),
            ["POST /bestallarroll"] = new((c, t) => Form("/bestallarroll", ("enhet", t == TargetKind.Ordinary ? "SU" : c == CallerKind.OrdererInScope ? "SU-IT" : "SU-AKUT"),
                ("startdatum", Date(today.AddDays(30))), ("slutdatum", Date(today.AddDays(40))))),
            ["GET /bestallningar/{orderId}"] = new(
                (_, t) => Get($"/bestallningar/{_shownOrder[t]}", _shownOrder[t]),
                Unknown: (_, _) => Get($"/bestallningar/{UnknownOrderId}", UnknownOrderId)),
            ["POST /bestallningar/{orderId}/avbryt"] = new(
                (_, t) => Form($"/bestallningar/{_openOrder[t]}/avbryt", [], _openOrder[t]),
                Unknown: (_, _) => Form($"/bestallningar/{UnknownOrderId}/avbryt", [], UnknownOrderId),
                BeforePermitted: async (_, t) => _openOrder[t] ??= await world.PlaceOrderWhenFreeAsync(OrdererOf(t), t),
                AfterSuccess: (_, t, _) =>
                {
                    _openOrder[t] = null;
                    return Task.CompletedTask;
                }),
        };

        // The delegation the page's form made (should that cell have failed, one that does not exist).
        string PageDelegationOf(TargetKind target) => _pageDelegation.GetValueOrDefault(target) is { Length: > 0 } id ? id : "DEL-NOPAGEDELEGATION";

        // The import KiV's permitted POST started (should that cell have failed, one that does not exist).
        string ImportOf(TargetKind target) => _importId.GetValueOrDefault(target, "KIV-NOIMPORTWASMADE");

        object OrderBody(string identityId, TargetKind target) => new
        {
            identityId,
            engagementId = TargetEngagement(target),
            level = "Standard",
            startDate = Date(today),
            comment = "Behörighetsmatris",
        };
    }

    /// <summary>
    /// The orderer role for the target, days 30–40 (so it grants nothing during the run); each permitted caller asks for
    /// a unit of its own, so that an earlier permitted cell's order does not make a later one "already ordered".
    /// </summary>
    private static object OrdererRoleBody(CallerKind caller, string identityId, DateOnly today) => new
    {
        orgUnitIds = new[]
        {
            caller switch
            {
                CallerKind.LineManager => "SU-IVA",
                CallerKind.ActiveDelegate => "SU-MED",
                _ => "SU-IT",
            },
        },
        validFrom = Date(today.AddDays(30)),
        validTo = Date(today.AddDays(40)),
        identityId,
    };

    /// <summary>The target's identity as KiV has it (the demo's own data, so the import changes nothing of substance).</summary>
    private static object KivIdentity(TargetKind target) => target == TargetKind.Ordinary
        ? new { hsaId = Demo.Cecilia, givenName = "Cecilia", familyName = "Carlsson", email = "cecilia.carlsson@example.vgregion.se", @protected = false }
        : new { hsaId = Demo.Dalia, givenName = "Dalia", familyName = "Dahl", email = "dalia.dahl@example.vgregion.se", @protected = true };

    private static string PolicyId(TargetKind target) => "POL-MATRIX-" + target.ToString().ToUpperInvariant();

    /// <summary>A policy giving Utökad to the target's title in SU-AKUT, before the demo's own policy (priority).</summary>
    private static object PolicyBody(TargetKind target) => new
    {
        administration = "SU",
        underOrgUnitId = "SU-AKUT",
        titles = new[] { TargetTitle(target) },
        level = "Utökad",
        priority = 10,
    };

    /// <summary>Who places the prepared orders: Eva (orderer in scope) for Cecilia; Dalia herself, whom Eva may not see.</summary>
    private static string OrdererOf(TargetKind target) => target == TargetKind.Ordinary ? Demo.Eva : Demo.Dalia;

    private int CellCount => _rows.Count * AuthorizationMatrix.Callers.Count * AuthorizationMatrix.Targets.Count;

    /// <summary>
    /// Runs the rows of some routes whose permitted cells do not change what another cell of the step answers: first
    /// every denied cell of every row (see <see cref="DeniedAsync"/>), then the permitted cells, row by row, target by
    /// target, in column order, each with what its route does around it (a fresh order, a cancellation).
    /// </summary>
    private async Task StepAsync(Dictionary<string, Driver> drivers, params (string Method, string Route)[] routes)
    {
        var clock = Stopwatch.StartNew();
        var reads = _reads;
        var rows = routes.Select(r => AuthorizationMatrix.Find(r.Method, r.Route)).Where(_rows.Contains).ToList();
        foreach (var row in rows)
        {
            Assert.True(_ran.Add(row.Name), $"{row.Name} ran twice.");
        }

        foreach (var row in rows)
        {
            foreach (var target in AuthorizationMatrix.Targets)
            {
                await DeniedAsync(row, drivers[row.Name], target);
            }
        }

        foreach (var row in rows)
        {
            foreach (var target in AuthorizationMatrix.Targets)
            {
                await PermittedAsync(row, drivers[row.Name], target);
            }
        }

        _timings.Add($"{string.Join(", ", rows.Select(r => r.Name))}: {clock.Elapsed.TotalSeconds:F1} s, {_reads - reads} snapshots");
    }

    /// <summary>
    /// The denied cells of one row and target, from a state at rest. Their calls are made together, between two
    /// snapshots of everything stored (the second after a moment for late effects, such as an orchestration's
    /// email): every write changes an ETag, a count or an instance for good, so an unchanged state after the last call
    /// means none of the calls changed anything. A cell listed in <see cref="KnownBugs"/> gets snapshots of its own, so
    /// its failure stays its own; MATRIX_SNAPSHOT_EACH_CELL=1 gives every cell its own, to tell which call changed what.
    /// </summary>
    private async Task DeniedAsync(RouteRow row, Driver driver, TargetKind target)
    {
        var denied = AuthorizationMatrix.Callers.Where(c => !row.Expected(c, target).Permitted).ToList();
        var alone = denied.Where(c => SnapshotEachCell || KnownBugs.Contains(CellResult.KeyOf(row.Name, c, target))).ToList();
        var groups = alone.Select(c => new List<CallerKind> { c }).ToList();
        if (denied.Except(alone).ToList() is { Count: > 0 } together)
        {
            groups.Insert(0, together);
        }

        foreach (var group in groups)
        {
            // Denied calls are independent of each other (none may change anything), so a group's are made at once.
            var before = _atRest ??= await SettledAsync();
            var calls = await Task.WhenAll(group.Select(async caller =>
            {
                var expect = row.Expected(caller, target);
                var (actual, problems, answer) = await CallAsync(row, driver, caller, target, expect);
                return (Result: new CellResult(row.Name, caller, target, expect, actual, problems), Answer: answer);
            }));
            var results = calls.Select(c => c.Result).ToList();

            await Task.Delay(LateEffectsWindow);
            var after = await ReadAsync();
            if (before.Differences(after) is { Count: > 0 } changed)
            {
                var who = group.Count == 1
                    ? "denied, yet changed"
                    : $"one of the denied calls by {string.Join(", ", group)} changed (MATRIX_SNAPSHOT_EACH_CELL=1 tells which)";
                foreach (var result in results)
                {
                    result.Problems.Add($"{who}: {string.Join("; ", changed)}");
                }

                _atRest = null;
            }
            else
            {
                _atRest = after;
            }

            _results.AddRange(results);

            // A denied call that was accepted all the same (a bug, reported above) is undone as a permitted one would be,
            // so that what it holds (an order on the engagement) does not derail the cells after it.
            foreach (var (result, answer) in calls.Where(c => c.Result.Actual.Permitted))
            {
                if (driver.AfterSuccess is { } undo)
                {
                    _atRest = null;
                    await undo(result.Caller, target, answer);
                }
            }
        }
    }

    private async Task PermittedAsync(RouteRow row, Driver driver, TargetKind target)
    {
        foreach (var caller in AuthorizationMatrix.Callers.Where(c => row.Expected(c, target).Permitted))
        {
            var expect = row.Expected(caller, target);
            if (driver.BeforePermitted is { } before)
            {
                await before(caller, target);
            }

            _atRest = null;
            var (actual, problems, answer) = await CallAsync(row, driver, caller, target, expect);
            _results.Add(new CellResult(row.Name, caller, target, expect, actual, problems));
            if (driver.AfterSuccess is { } afterwards && actual.Permitted)
            {
                await afterwards(caller, target, answer);
            }
        }
    }

    /// <summary>Makes one cell's call and checks its answer: status, listing, names, and a 404 against an unknown id's.</summary>
    private async Task<(Expect Actual, List<string> Problems, Answer Answer)> CallAsync(RouteRow row, Driver driver, CallerKind caller, TargetKind target, Expect expect)
    {
        List<string> problems = [];
        var sender = AuthorizationMatrix.ActingAs(row, caller, target);
        var call = driver.Build(sender, target);
        var answer = await SendAsync(caller, sender, target, call);
        bool? listed = null;
        if (answer.Status != expect.Status)
        {
            problems.Add($"status {answer.Status}, expected {expect.Status}: {Excerpt(answer.Body)}");
        }

        if (expect.Listed is not null && answer.Status == 200)
        {
            // A JSON list names the target by HSA-id; a page lists what the call is about (the order, for a confirmation).
            listed = answer.MediaType == "text/html" ? answer.Body.Contains(call.Subject ?? TargetId(target), StringComparison.Ordinal) : Lists(answer.Body, TargetId(target));
            if (listed != expect.Listed)
            {
                problems.Add(expect.Listed.Value ? "the target is missing from the results" : "the target is among the results");
            }
        }

        var maySee = MaySeeProtected(sender, target);
        if (!maySee)
        {
            problems.AddRange(Leaks(answer, "the answer"));
        }

        if (!MaySeeProtectedActor(sender))
        {
            problems.AddRange(ActorLeaks(answer, "the answer"));
        }

        if (expect.Status == 404 && driver.Unknown is { } unknown)
        {
            var unknownCall = unknown(sender, target);
            var other = await SendAsync(caller, sender, target, unknownCall);
            if (!maySee)
            {
                problems.AddRange(Leaks(other, "the unknown id's answer"));
            }

            var mine = Normalize(answer.Body, call.Subject);
            var theirs = Normalize(other.Body, unknownCall.Subject);
            if (answer.Status != other.Status || answer.MediaType != other.MediaType || mine != theirs)
            {
                problems.Add($"not the unknown id's answer: {answer.Status} {answer.MediaType} {Excerpt(mine)} vs {other.Status} {other.MediaType} {Excerpt(theirs)}");
            }
        }

        return (new Expect(answer.Status, listed), problems, answer);
    }

    private async Task<StoredState> ReadAsync()
    {
        var clock = Stopwatch.StartNew();
        var state = await StoredState.ReadAsync(world.App);
        _reads++;
        _readTime += clock.Elapsed;
        return state;
    }

    /// <summary>The stored state once background work has come to rest: two reads a moment apart agree.</summary>
    private async Task<StoredState> SettledAsync()
    {
        var clock = Stopwatch.StartNew();
        var previous = await ReadAsync();
        while (true)
        {
            await Task.Delay(LateEffectsWindow);
            var current = await ReadAsync();
            var moved = previous.Differences(current);
            if (moved.Count == 0 && !await StoredState.SideEffectInFlightAsync(world.App) && !await StoredState.BatchRunInProgressAsync(world.App))
            {
                _settleTime += clock.Elapsed;
                return current;
            }

            _timings.Add("  still moving: " + string.Join("; ", moved.Take(3)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "Background work did not come to rest: " + string.Join("; ", moved));
            previous = current;
        }
    }

    /// <summary>
    /// Sends the call as <paramref name="sender"/>, with the flaw of a <see cref="AuthorizationMatrix.IsFlawed">flawed</see>
    /// caller: headers of a page of another site, or the body as <c>text/plain</c>. A form is sent as a browser sends it,
    /// with the sender's antiforgery token (<see cref="PageForm.ForAsync"/>), so that a refusal is the route's own.
    /// </summary>
    private async Task<Answer> SendAsync(CallerKind caller, CallerKind sender, TargetKind target, Call call)
    {
        var clock = Stopwatch.StartNew();
        var client = world.Client(sender, target);
        using var request = call.FormFields is { } fields
            ? PageForm.Request(call.Path, await PageForm.ForAsync(client, call.Path), fields)
            : new HttpRequestMessage(call.Method, call.Path) { Content = call.Content?.Invoke() };
        if (caller == CallerKind.CrossSite)
        {
            request.Headers.Add("Origin", "https://evil.example");
            request.Headers.Add(Behorighetsportal.Http.SameOriginPolicy.FetchSiteHeader, "cross-site");
        }
        else if (caller == CallerKind.WrongContentType && call.Method != HttpMethod.Get)
        {
            var bytes = request.Content is null ? "{}"u8.ToArray() : await request.Content.ReadAsByteArrayAsync();
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        Interlocked.Add(ref _httpTicks, clock.Elapsed.Ticks);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, headers);
    }

    private static IEnumerable<string> Leaks(Answer answer, string what) =>
        ProtectedNames
            .Where(name => answer.Body.Contains(name, StringComparison.OrdinalIgnoreCase) || answer.Headers.Contains(name, StringComparison.OrdinalIgnoreCase))
            .Select(name => $"{what} names '{name}': {Excerpt(answer.Body)}");

    /// <summary>The protected actor by name or HSA-id: no caller's request names her, so any trace of her in an answer is a leak.</summary>
    private static IEnumerable<string> ActorLeaks(Answer answer, string what) =>
        YlvaTraces
            .Where(trace => answer.Body.Contains(trace, StringComparison.OrdinalIgnoreCase) || answer.Headers.Contains(trace, StringComparison.OrdinalIgnoreCase))
            .Select(trace => $"{what} carries '{trace}' of the protected actor: {Excerpt(answer.Body)}");

    private static bool Lists(string body, string hsaId)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.EnumerateArray().Any(e => e.GetProperty("hsaId").GetString() == hsaId);
    }

    /// <summary>The answer with the id it is about replaced, and without the per-request trace id.</summary>
    private static string Normalize(string body, string? id)
    {
        var text = string.IsNullOrEmpty(id) ? body : body.Replace(id, "{id}", StringComparison.Ordinal);
        try
        {
            if (JsonNode.Parse(text) is JsonObject problem)
            {
                problem.Remove("traceId");
                return problem.ToJsonString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: compared as it is.
        }

        return text;
    }

    private static string OrderIdIn(Answer answer)
    {
        using var document = JsonDocument.Parse(answer.Body);
        return document.RootElement.GetProperty("orderId").GetString()!;
    }

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static Call Get(string path, string? subject = null) => new(HttpMethod.Get, path, null, subject);

    private static Call Post(string path, object? json, string? subject = null) =>
        new(HttpMethod.Post, path, json is null ? null : () => JsonContent.Create(json), subject);

    private static Call Form(string path, params (string Key, string Value)[] fields) => new(HttpMethod.Post, path, FormFields: fields);

    private static Call Form(string path, (string Key, string Value)[] fields, string? subject) => new(HttpMethod.Post, path, Subject: subject, FormFields: fields);

    /// <summary>The order a page's form placed: its confirmation's address (303 Location) names it.</summary>
    private static string PlacedOrderIn(Answer answer) =>
        System.Text.RegularExpressions.Regex.Match(answer.Headers, @"order=(?<id>ORD-[0-9A-Za-z]+)").Groups["id"] is { Success: true } id
            ? id.Value
            : throw new InvalidOperationException("The order page's answer names no placed order: " + Excerpt(answer.Headers));

    /// <summary>Prints the matrix as it answered, the mismatches, and fails on any that is not a known bug.</summary>
    private void Report(TimeSpan elapsed)
    {
        var byKey = _results.ToDictionary(r => r.Key, StringComparer.Ordinal);
        if (byKey.Count != CellCount)
        {
            _general.Add($"only {byKey.Count} of {CellCount} cells ran");
        }

        var header = new StringBuilder($"{"route",-38} {"target",-10}");
        foreach (var caller in AuthorizationMatrix.Callers)
        {
            header.Append(CultureInfo.InvariantCulture, $" {Short(caller),-7}");
        }

        output.WriteLine("");
        output.WriteLine("As answered (! = unexpected, ~ = known bug):");
        output.WriteLine(header.ToString());
        foreach (var row in _rows)
        {
            foreach (var target in AuthorizationMatrix.Targets)
            {
                var line = new StringBuilder($"{row.Name,-38} {target,-10}");
                foreach (var caller in AuthorizationMatrix.Callers)
                {
                    var cell = byKey.GetValueOrDefault(CellResult.KeyOf(row.Name, caller, target));
                    var mark = cell is null || cell.Problems.Count == 0 ? "" : KnownBugs.Contains(cell.Key) ? "~" : "!";
                    line.Append(CultureInfo.InvariantCulture, $" {(cell is null ? "–" : cell.Actual + mark),-7}");
                }

                output.WriteLine(line.ToString());
            }
        }

        var failing = _results.Where(r => r.Problems.Count > 0).ToList();
        var known = failing.Where(r => KnownBugs.Contains(r.Key)).ToList();
        var unexpected = failing.Where(r => !KnownBugs.Contains(r.Key)).ToList();
        var fixedBugs = KnownBugs.Where(k => byKey.TryGetValue(k, out var r) ? r.Problems.Count == 0 : byKey.Count == CellCount).ToList();

        output.WriteLine("");
        output.WriteLine($"{CellCount} cells, {_results.Count(r => !r.Expected.Permitted)} denied, {failing.Count} failing " +
                         $"({known.Count} known bugs), in {elapsed.TotalSeconds:F1} s (+ {world.SetupTime.TotalSeconds:F1} s setting up the world).");
        foreach (var result in known)
        {
            output.WriteLine($"KNOWN BUG  {result}");
        }

        foreach (var result in unexpected)
        {
            output.WriteLine($"MISMATCH   {result}");
        }

        foreach (var problem in _general)
        {
            output.WriteLine($"PROBLEM    {problem}");
        }

        output.WriteLine("");
        output.WriteLine($"Time: {_reads} snapshots {_readTime.TotalSeconds:F1} s (settling {_settleTime.TotalSeconds:F1} s), HTTP {TimeSpan.FromTicks(_httpTicks).TotalSeconds:F1} s (summed over concurrent calls)");
        output.WriteLine("Time per step (both targets):\n" + string.Join("\n", _timings));

        foreach (var key in fixedBugs)
        {
            output.WriteLine($"FIXED      {key} passes now (or is no cell): remove it from KnownBugs");
        }

        Assert.True(unexpected.Count == 0 && _general.Count == 0 && fixedBugs.Count == 0,
            string.Join("\n", unexpected.Select(r => r.ToString()).Concat(_general).Concat(fixedBugs.Select(k => "fixed known bug: " + k))));
    }

    private static string Short(CallerKind caller) => caller switch
    {
        CallerKind.Anonymous => "Anon",
        CallerKind.Self => "Self",
        CallerKind.LineManager => "Mgr",
        CallerKind.OtherUnitManager => "OMgr",
        CallerKind.ActiveDelegate => "Del",
        CallerKind.ExpiredDelegate => "xDel",
        CallerKind.OrdererInScope => "OrdIn",
        CallerKind.OrdererOutOfScope => "OrdOut",
        CallerKind.OrdererOtherAdministration => "OrdAdm",
        CallerKind.PolicyAdministrator => "PolAdm",
        CallerKind.Marknadsplatsen => "MpKey",
        CallerKind.Kiv => "KivKey",
        CallerKind.SystemWrongKey => "SysBad",
        CallerKind.CrossSite => "XSite",
        _ => "Type",
    };

    /// <summary>One request: its content is made anew for each send; <see cref="Subject"/> is the id a 404 may repeat.</summary>
    private sealed record Call(HttpMethod Method, string Path, Func<HttpContent>? Content = null, string? Subject = null, (string Key, string Value)[]? FormFields = null);

    private sealed record Answer(int Status, string? MediaType, string Body, string Headers);

    private sealed record Driver(
        Func<CallerKind, TargetKind, Call> Build,
        Func<CallerKind, TargetKind, Call>? Unknown = null,
        Func<CallerKind, TargetKind, Task>? BeforePermitted = null,
        Func<CallerKind, TargetKind, Answer, Task>? AfterSuccess = null);

    // BeforePermitted prepares what a permitted cell acts on (a fresh order); AfterSuccess follows any accepted call,
    // expected or not (cancels the order it placed, notes the import it started).

    private sealed record CellResult(string Route, CallerKind Caller, TargetKind Target, Expect Expected, Expect Actual, List<string> Problems)
    {
        public string Key => KeyOf(Route, Caller, Target);

        public static string KeyOf(string route, CallerKind caller, TargetKind target) => $"{route}|{caller}|{target}";

        public override string ToString() =>
            $"{Route} | {Caller} | {Target} | expected {Expected} | actual {Actual} | {string.Join(" / ", Problems)}";
    }
}
