using System.Net;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// R14 over HTTP on the devhost (Azurite, loopback SMTP): nobody decides an order, orderer-role order or AMU application
/// that is about themself. Placing it does not approve it, its approval link is mailed to everyone else who may decide
/// but not to that person, their approvals list leaves it out, and a link in their hands — one made for them, as it
/// would have been mailed before — is refused (403, a Swedish page) and changes nothing.
/// </summary>
public sealed class SeparationOfDutiesTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task PlaceOrder_DelegateForHerself_WaitsForTheLineManagerAlone()
    {
        // Arrange: Anna lends her role to Bertil, her report.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);

        // Act: Bertil orders a higher level for his own engagement.
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Bertil, Demo.Bertil, Demo.BertilEngagement, "Utökad");
        var annasEmail = await OrderFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, orderId);
        await StoredState.SettledAsync(app);

        // Assert: it waits for Anna, who alone is mailed and lists it; Bertil neither.
        var view = await OrderFlow.GetAsync(app, Demo.Bertil, orderId);
        Assert.Equal(OrderStatus.PendingApproval, view.Status);
        Assert.Equal([RequestFlow.AnnaEmail], OrderApprovalEmails(app, orderId).Select(m => m.To).Distinct());
        Assert.Contains(orderId, (await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items.Select(i => i.Id));
        Assert.DoesNotContain(orderId, (await RequestFlow.ApprovalsAsync(app, Demo.Bertil)).Items.Select(i => i.Id));

        // Act 2: Bertil uses a link made out to him.
        var own = OwnLink(app, LinkPurpose.Approval, orderId, Demo.Bertil);
        await AssertRefusedAsync(app, Demo.Bertil, own);

        // Assert 2: Anna's own link still decides it.
        using var approved = await OrderFlow.DecideAsync(app, Demo.Anna, annasEmail.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(OrderStatus.PendingAttestation, (await OrderFlow.WaitForStatusAsync(app, Demo.Anna, orderId, OrderStatus.PendingAttestation)).Status);
    }

    [Fact]
    public async Task ApprovalOfOrder_AboutADelegate_NotMailedNotListedLinkRefused()
    {
        // Arrange: Anna lends her role to Bertil; Eva (orderer for SU-AKUT) orders for Bertil.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Bertil, Demo.BertilEngagement, "Utökad");
        await OrderFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, orderId);
        await StoredState.SettledAsync(app);

        // Act
        var bertils = await RequestFlow.ApprovalsAsync(app, Demo.Bertil);

        // Assert: Anna's role is Bertil's too, but not for an order about him.
        Assert.Equal([RequestFlow.AnnaEmail], OrderApprovalEmails(app, orderId).Select(m => m.To).Distinct());
        Assert.Equal(HttpStatusCode.OK, bertils.Status);
        Assert.DoesNotContain(orderId, bertils.Items.Select(i => i.Id));
        await AssertRefusedAsync(app, Demo.Bertil, OwnLink(app, LinkPurpose.Approval, orderId, Demo.Bertil));
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(app, Demo.Eva, orderId)).Status);
    }

    [Fact]
    public async Task OrderOrdererRole_DelegateForHerself_WaitsForTheLineManagerAlone()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);

        // Act: Bertil orders the orderer role for himself.
        var order = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        var requestId = order.GetProperty("orderId").GetString()!;
        await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
        await StoredState.SettledAsync(app);

        // Assert
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), order.GetProperty("status").GetString());
        Assert.Equal([RequestFlow.AnnaEmail], RequestFlow.ApprovalEmailsFor(app, Demo.Bertil, requestId).Select(m => m.To).Distinct());
        Assert.Contains(requestId, (await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items.Select(i => i.Id));
        Assert.DoesNotContain(requestId, (await RequestFlow.ApprovalsAsync(app, Demo.Bertil)).Items.Select(i => i.Id));
        await AssertRefusedAsync(app, Demo.Bertil, OwnLink(app, LinkPurpose.AccessApproval, Demo.Bertil + "|" + requestId, Demo.Bertil));
        Assert.Equal(AccessRequestStatus.PendingApproval, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);
    }

    [Fact]
    public async Task ApplyAmu_OwnerForOwnGroup_WaitsForTheOwnersLineManager()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act: Anna, the owner of the schedulers' group, applies to join it.
        var application = await RequestFlow.ApplyAcceptedAsync(app, Demo.Anna, RequestFlow.SchemaGroup);
        var requestId = RequestFlow.RequestFor(application, RequestFlow.SchemaGroup);
        var gunillasEmail = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.GunillaEmail, Demo.Anna, requestId);
        await StoredState.SettledAsync(app);

        // Assert: not approved by applying; her manager Gunilla is asked, Anna is not.
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), application.GetProperty("status").GetString());
        Assert.Equal([RequestFlow.GunillaEmail], RequestFlow.ApprovalEmailsFor(app, Demo.Anna, requestId).Select(m => m.To).Distinct());
        Assert.Contains("som närmaste chef", gunillasEmail.Text, StringComparison.Ordinal);
        Assert.Contains(requestId, (await RequestFlow.ApprovalsAsync(app, Demo.Gunilla)).Items.Select(i => i.Id));
        Assert.DoesNotContain(requestId, (await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items.Select(i => i.Id));
        await AssertRefusedAsync(app, Demo.Anna, OwnLink(app, LinkPurpose.AccessApproval, Demo.Anna + "|" + requestId, Demo.Anna));
        Assert.DoesNotContain((await RequestFlow.AssignmentsAsync(app, Demo.Anna)), a => a.Resource == "AMU " + RequestFlow.SchemaGroupName);

        // Act 2: Gunilla approves.
        using var approved = await RequestFlow.DecideAsync(app, Demo.Gunilla, gunillasEmail.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);

        // Assert 2: the membership, approved by Gunilla.
        Assert.Equal((HttpStatusCode.OK, AccessRequestStatus.Active), (approved.StatusCode, outcome));
        var membership = Assert.Single(await RequestFlow.AssignmentsAsync(app, Demo.Anna), a => a.Resource == "AMU " + RequestFlow.SchemaGroupName);
        Assert.Contains("Godkänd av Gunilla Granath", membership.Reasons);
    }

    /// <summary>The order approval emails (and reminders) whose link is about this order, to whomever.</summary>
    private static List<ReceivedEmail> OrderApprovalEmails(PortalApp app, string orderId) =>
        app.Inbox.Messages.Where(m => m.Text.Contains(RequestFlow.ApprovalLinkPrefix, StringComparison.Ordinal)
            && OrderFlow.TokenSubject(m.Link(RequestFlow.ApprovalLinkPrefix)) == orderId).ToList();

    /// <summary>A genuine approval link made out to <paramref name="recipient"/>: what such a person held if it had been mailed to them.</summary>
    private static string OwnLink(PortalApp app, LinkPurpose purpose, string subject, string recipient) =>
        RequestFlow.ApprovalLinkPrefix + app.Services.GetRequiredService<LinkSigner>().Sign(new LinkToken(purpose, subject, recipient, DateTimeOffset.UtcNow.AddHours(1)));

    /// <summary>GET and POST of the link by the person it is about: 403 with a Swedish page saying why, and nothing changes.</summary>
    private static async Task AssertRefusedAsync(PortalApp app, string caller, string link)
    {
        var before = await StoredState.SettledAsync(app);
        using var shown = await RequestFlow.OpenLinkAsync(app, caller, link);
        using var decided = await RequestFlow.DecideAsync(app, caller, link, "approve");
        foreach (var response in new[] { shown, decided })
        {
            var page = await ProblemAssert.IsPageAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains("gäller dig själv", page, StringComparison.Ordinal);
        }

        await before.AssertUnchangedAsync(app, "the person the request is about using its approval link");
    }
}
