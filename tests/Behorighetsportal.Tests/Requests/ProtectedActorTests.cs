using System.Net;
using Behorighetsportal.Directory;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// R10 for the people acting, not only for the person a request is about, over HTTP on the devhost (Azurite, loopback
/// SMTP): a protected orderer, a protected delegate who approves, and a protected manager who delegates and approves
/// are named — with their HSA-id — only to themself, their nearest manager and that manager's delegates. Everyone else
/// who reads an email, a page, a list or an order's history about what they did reads "en medarbetare med skyddad
/// identitet" and no HSA-id.
/// </summary>
public sealed class ProtectedActorTests : IDisposable
{
    private const string Hidden = "en medarbetare med skyddad identitet";
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private const string JohanEmail = "johan.jansson@example.vgregion.se";

    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task PlaceOrder_ProtectedOrdererForAnotherManagersReport_ManagerAndPersonNeverReadHer()
    {
        // Arrange: Dalia (protected, Anna's report) holds the orderer role for SU-IVA and orders for Hugo, Fredrik's report.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await app.Directory.UpsertOrdererRoleAsync(new OrdererRole("SDA-TEST-DALIA", Demo.Dalia, "SU", ["SU-IVA"], null, null));
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Dalia, Demo.Hugo, Demo.HugoEngagement);
        var email = await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId);
        await StoredState.SettledAsync(app);

        // Act: what Fredrik and Hugo read about the order.
        using var page = await RequestFlow.OpenLinkAsync(app, Demo.Fredrik, email.Link(RequestFlow.ApprovalLinkPrefix));
        var pageText = await page.Content.ReadAsStringAsync();
        var approvals = await RequestFlow.ApprovalsAsync(app, Demo.Fredrik);
        var fredriksOrder = await ReadAsync(app, Demo.Fredrik, $"/api/orders/{orderId}");
        var hugosOrder = await ReadAsync(app, Demo.Hugo, $"/api/orders/{orderId}");
        var daliasOrder = await OrderFlow.GetAsync(app, Demo.Dalia, orderId);

        // Assert
        Assert.Contains("En medarbetare med skyddad identitet har beställt användartjänst för Hugo Holm", email.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(Hidden, pageText, StringComparison.Ordinal);
        AssertNotNamed(Dalia, ("email", email.Subject + email.Text + email.Html), ("approval page", pageText), ("approvals", approvals.Body),
            ("Fredrik's order", fredriksOrder), ("Hugo's order", hugosOrder));
        Assert.Contains(Hidden, fredriksOrder, StringComparison.Ordinal);
        Assert.Equal(Demo.Dalia, Assert.Single(daliasOrder.History, h => h.Step == "Placed").Actor);
    }

    [Fact]
    public async Task Approve_ProtectedDelegateDecides_OrdererAndPersonNeverReadHer()
    {
        // Arrange: Anna lends her role to Dalia; Eva orders for Cecilia, and Cecilia orders the orderer role herself.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Dalia);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Cecilia, Demo.CeciliaEngagement);
        var roleId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Cecilia, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") })).GetProperty("orderId").GetString()!;
        var orderLink = (await OrderFlow.ApprovalEmailAsync(app, RequestFlow.DaliaEmail, orderId)).Link(RequestFlow.ApprovalLinkPrefix);
        var roleLink = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.DaliaEmail, Demo.Cecilia, roleId);

        // Act: Dalia approves both as Anna's delegate.
        using var orderApproved = await OrderFlow.DecideAsync(app, Demo.Dalia, orderLink, "approve");
        using var roleApproved = await RequestFlow.DecideAsync(app, Demo.Dalia, roleLink, "approve");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        await RequestFlow.WaitForCompletionAsync(app, roleId);
        var evasOrder = await ReadAsync(app, Demo.Eva, $"/api/orders/{orderId}");
        var ceciliasOrder = await ReadAsync(app, Demo.Cecilia, $"/api/orders/{orderId}");
        var ceciliasAssignments = await ReadAsync(app, Demo.Cecilia, "/api/me/assignments");
        var annasOrder = await OrderFlow.GetAsync(app, Demo.Anna, orderId);

        // Assert: Eva and Cecilia read that a protected colleague decided; Anna, Dalia's manager, reads who.
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (orderApproved.StatusCode, roleApproved.StatusCode));
        AssertNotNamed(Dalia, ("Eva's order", evasOrder), ("Cecilia's order", ceciliasOrder), ("Cecilia's assignments", ceciliasAssignments));
        Assert.Contains(Hidden, evasOrder, StringComparison.Ordinal);
        Assert.Contains($"Godkänd av {Hidden} som delegat för Anna Andersson",
            Assert.Single(await RequestFlow.OrdererRolesAsync(app, Demo.Cecilia)).Reasons);
        Assert.Equal(Demo.Dalia, Assert.Single(annasOrder.History, h => h.Step == "ApprovalGiven").Actor);
    }

    [Fact]
    public async Task Delegate_ProtectedManagerDelegatesAndApproves_DelegateAndOthersNeverReadTheirName()
    {
        // Arrange: Fredrik is protected; he lends his role to Johan, his report, and Eva orders for Hugo, Fredrik's report.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var fredrik = (await app.Directory.GetIdentityAsync(Demo.Fredrik))!;
        await app.Directory.UpsertIdentityAsync(fredrik with { Protected = true });
        await RequestFlow.DelegateAsync(app, Demo.Fredrik, Demo.Johan);
        var started = await _inbox.WaitForAsync(m => m.To == JohanEmail && m.Subject == "Chefsrollen har delegerats till dig");
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var johansEmail = await OrderFlow.ApprovalEmailAsync(app, JohanEmail, orderId);
        var fredriksLink = (await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId)).Link(RequestFlow.ApprovalLinkPrefix);
        var johansApprovals = await RequestFlow.ApprovalsAsync(app, Demo.Johan);

        // Act: Fredrik approves; then Johan opens his own link, and everyone reads what they may.
        using var approved = await OrderFlow.DecideAsync(app, Demo.Fredrik, fredriksLink, "approve");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        using var closed = await RequestFlow.OpenLinkAsync(app, Demo.Johan, johansEmail.Link(RequestFlow.ApprovalLinkPrefix));
        var closedPage = await closed.Content.ReadAsStringAsync();
        var johansAssignments = await ReadAsync(app, Demo.Johan, "/api/me/assignments");
        var johansDelegations = await ReadAsync(app, Demo.Johan, "/api/delegations");
        var evasOrder = await ReadAsync(app, Demo.Eva, $"/api/orders/{orderId}");
        var hugoHimself = await ReadAsync(app, Demo.Hugo, "/api/me");

        // Assert
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), (approved.StatusCode, closed.StatusCode));
        Assert.StartsWith("Hej Johan,", started.Text, StringComparison.Ordinal);
        Assert.Contains("En medarbetare med skyddad identitet har delegerat chefsrollen", started.Text, StringComparison.Ordinal);
        Assert.Contains($"som delegat för {Hidden}", johansEmail.Text, StringComparison.Ordinal);
        Assert.Contains($"redan godkänd av {Hidden}", closedPage, StringComparison.Ordinal);
        Assert.Contains($"Delegerad av {Hidden}", johansAssignments, StringComparison.Ordinal);
        var item = Assert.Single(johansApprovals.Items);
        Assert.Equal((orderId, (string?)null), (item.Id, item.AsDelegateOf));
        AssertNotNamed(Fredrik, ("delegation email", started.Subject + started.Text + started.Html),
            ("Johan's approval email", johansEmail.Subject + johansEmail.Text + johansEmail.Html), ("Johan's approvals", johansApprovals.Body),
            ("Johan's closed link page", closedPage), ("Johan's assignments", johansAssignments), ("Johan's delegations", johansDelegations),
            ("Eva's order", evasOrder), ("Hugo's own profile", hugoHimself));
    }

    private static readonly string[] Dalia = ["Dalia", "Dahl", Demo.Dalia];

    private static readonly string[] Fredrik = ["Fredrik", "Falk", Demo.Fredrik];

    /// <summary>None of the texts carries any of the person's traces (given name, family name, HSA-id).</summary>
    private static void AssertNotNamed(string[] traces, params (string What, string Text)[] texts)
    {
        foreach (var (what, text) in texts)
        {
            foreach (var trace in traces.Where(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)))
            {
                Assert.Fail($"{what} carries '{trace}' of a person protected from its reader: {text}");
            }
        }
    }

    /// <summary>GET as a person; the body of a 200 (fails on any other status).</summary>
    private static async Task<string> ReadAsync(PortalApp app, string caller, string path)
    {
        using var client = app.As(caller);
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} as {caller}: {(int)response.StatusCode} {body}");
        return body;
    }
}
