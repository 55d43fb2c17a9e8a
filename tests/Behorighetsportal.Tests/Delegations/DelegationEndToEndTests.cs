using System.Net;
using System.Text.Json;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Xunit;

namespace Behorighetsportal.Tests.Delegations;

/// <summary>
/// Delegation of the manager role end to end (R7, R8, R10, R12) on the devhost with the demo organisation, its
/// durable state on Azure Storage (Azurite) as the devhost runs by default: Anna, manager of the acute unit,
/// lends her role to Bertil; he acts as her; she revokes; he can no longer.
/// </summary>
public sealed class DelegationEndToEndTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task Delegation_AnnaToBertilThenRevoked_BertilActsAsManagerOnlyWhileItHolds()
    {
        // Arrange
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox, backend: "AzureStorage");
        var today = DelegationFlow.Today;
        var lastDay = today.AddDays(7);
        using var daliaBefore = await DelegationFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Dalia);
        Assert.Equal(HttpStatusCode.NotFound, daliaBefore.StatusCode);

        // Act 1: Anna delegates to Bertil from today.
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today, lastDay);
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);
        var startEmail = await DelegationFlow.StartEmailAsync(app);

        // Assert 1: the email says what he may do, for whom, until when; the delegation is listed on both sides.
        Assert.Contains("Anna Andersson", startEmail.Text, StringComparison.Ordinal);
        Assert.Contains(OrderEmails.Date(lastDay), startEmail.Text, StringComparison.Ordinal);
        Assert.Contains("beställa och ändra användartjänster", startEmail.Text, StringComparison.Ordinal);
        Assert.Contains("godkänna beställningar", startEmail.Text, StringComparison.Ordinal);
        Assert.Contains("initialt lösenord", startEmail.Text, StringComparison.Ordinal);
        Assert.Contains("skyddade identiteter", startEmail.Text, StringComparison.Ordinal);
        Assert.Contains("Ekonomisk attest ingår inte", startEmail.Text, StringComparison.Ordinal);
        var given = Assert.Single((await DelegationFlow.ListAsync(app, Demo.Anna)).Given);
        Assert.Equal((id, Demo.Bertil, "Bertil Berg", DelegationStatus.Active), (given.DelegationId, given.DelegateId, given.DelegateName, given.Status));
        var received = Assert.Single((await DelegationFlow.ListAsync(app, Demo.Bertil)).Received);
        Assert.Equal((id, "Anna Andersson", DelegationFlow.Date(today), DelegationFlow.Date(lastDay)),
            (received.DelegationId, received.ManagerName, received.ValidFrom, received.ValidTo));

        // Act 2: Bertil orders for Cecilia, Anna's report — as her delegate, without approval (R2).
        using var placed = await DelegationFlow.PlaceOrderAsync(app, Demo.Bertil, Demo.Cecilia, Demo.CeciliaEngagement, "Standard");
        var placedBody = JsonDocument.Parse(await placed.Content.ReadAsStringAsync()).RootElement;

        // Assert 2
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        Assert.Equal(nameof(OrderStatus.PendingAttestation), placedBody.GetProperty("status").GetString());
        var ceciliaOrder = placedBody.GetProperty("orderId").GetString()!;
        var placedEntry = Assert.Single(await DelegationFlow.AuditAsync(app, ceciliaOrder), e => e.Step == "Placed");
        Assert.Equal(Demo.Bertil, placedEntry.Actor);
        Assert.Contains($"som delegat för {Demo.Anna}", placedEntry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(await DelegationFlow.AuditAsync(app, ceciliaOrder), e => e.Step == "ApprovalRequested");

        // Act 3: Bertil looks at Dalia, Anna's protected report (R10).
        using var dalia = await DelegationFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Dalia);
        var daliaBody = await dalia.Content.ReadAsStringAsync();

        // Assert 3
        Assert.True(dalia.StatusCode == HttpStatusCode.OK, $"{(int)dalia.StatusCode}: {daliaBody}");
        var daliaView = JsonDocument.Parse(daliaBody).RootElement;
        Assert.Equal("Dalia", daliaView.GetProperty("givenName").GetString());
        Assert.True(daliaView.GetProperty("protected").GetBoolean());

        // Act 4: Eva (orderer for the unit) orders for Karin, Anna's report; Bertil approves from his email.
        var karinOrder = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Karin, Demo.KarinNewEngagement, "Utökad");
        var bertilsEmail = await DelegationFlow.ApprovalEmailAsync(app, DelegationFlow.BertilEmail, karinOrder);
        var annasLink = await DelegationFlow.ApprovalLinkAsync(app, DelegationFlow.AnnaEmail, karinOrder);
        var approved = await DelegationFlow.PostLinkAsync(app, Demo.Bertil, bertilsEmail.Link(DelegationFlow.ApprovalLinkPrefix), ("decision", "approve"));
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, karinOrder, OrderStatus.PendingAttestation);
        var annaLate = await DelegationFlow.PostLinkAsync(app, Demo.Anna, annasLink, ("decision", "approve"));

        // Assert 4: approved by Bertil as delegate of Anna — in the audit log and on the page Anna gets.
        Assert.Contains("som delegat för Anna Andersson", bertilsEmail.Text, StringComparison.Ordinal);
        Assert.True(approved.Status == HttpStatusCode.OK, $"{(int)approved.Status}: {approved.Page}");
        var approval = Assert.Single(await DelegationFlow.AuditAsync(app, karinOrder), e => e.Step == "ApprovalGiven");
        Assert.Equal(Demo.Bertil, approval.Actor);
        Assert.Equal("som delegat för " + Demo.Anna, approval.Detail);
        Assert.Equal(HttpStatusCode.Conflict, annaLate.Status);
        Assert.Contains("Bertil Berg som delegat för Anna Andersson", annaLate.Page, StringComparison.Ordinal);

        // Arrange 5: a second order by Eva, for herself; its link reaches Bertil while the delegation holds.
        var evaOrder = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Eva, "ENG-0006", "Utökad");
        var pendingLink = await DelegationFlow.ApprovalLinkAsync(app, DelegationFlow.BertilEmail, evaOrder);

        // Act 5: Anna revokes.
        using var revoke = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        using var completion = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instance = await app.Durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, completion.Token);

        // Assert 5: Bertil can do none of it any more.
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(DelegationStatus.Revoked, instance.ReadOutputAs<DelegationStatus>());
        using var orderAgain = await DelegationFlow.PlaceOrderAsync(app, Demo.Bertil, Demo.Cecilia, Demo.CeciliaEngagement, "Utökad");
        Assert.Equal(HttpStatusCode.Forbidden, orderAgain.StatusCode);
        using var daliaAfter = await DelegationFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Dalia);
        using var unknown = await DelegationFlow.GetIdentityAsync(app, Demo.Bertil, "SE2321000131-E999999999999");
        Assert.Equal(HttpStatusCode.NotFound, daliaAfter.StatusCode);
        Assert.Equal(ProblemTitle(await unknown.Content.ReadAsStringAsync()), ProblemTitle(await daliaAfter.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("Dalia", await daliaAfter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var cecilia = await DelegationFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Cecilia);
        Assert.Equal(HttpStatusCode.NotFound, cecilia.StatusCode);
        var refusedShow = await DelegationFlow.OpenLinkAsync(app, Demo.Bertil, pendingLink);
        var refusedDecision = await DelegationFlow.PostLinkAsync(app, Demo.Bertil, pendingLink, ("decision", "approve"));
        Assert.Equal(HttpStatusCode.Forbidden, refusedShow.Status);
        Assert.Equal(HttpStatusCode.Forbidden, refusedDecision.Status);
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(app, Demo.Eva, evaOrder)).Status);
        Assert.DoesNotContain(await DelegationFlow.AuditAsync(app, evaOrder), e => e.Step is "ApprovalGiven" or "ApprovalRefused");
        Assert.DoesNotContain(await DelegationFlow.AssignmentsAsync(app, Demo.Bertil), a => a.Resource == PeopleEndpoints.ManagerResource);
        Assert.Empty(await DelegationFlow.DelegatedManagersAsync(app, Demo.Bertil));

        // Anna's own role is untouched: she can still decide the order Bertil no longer can.
        var annaDecides = await DelegationFlow.PostLinkAsync(app, Demo.Anna,
            await DelegationFlow.ApprovalLinkAsync(app, DelegationFlow.AnnaEmail, evaOrder), ("decision", "approve"));
        Assert.Equal(HttpStatusCode.OK, annaDecides.Status);

        // The audit log tells the delegation's story (R12).
        var story = await DelegationFlow.AuditAsync(app, id);
        Assert.Equal(["Created", "Revoked", "StartEmailSent", "Started"], story.Select(e => e.Step).Order(StringComparer.Ordinal).ToArray());
        Assert.True(story.Single(e => e.Step == "Created").At <= story.Single(e => e.Step == "Started").At);
        Assert.True(story.Single(e => e.Step == "Started").At <= story.Single(e => e.Step == "Revoked").At);
        Assert.Equal(Demo.Anna, story.Single(e => e.Step == "Created").Actor);
        Assert.Equal(Demo.Anna, story.Single(e => e.Step == "Revoked").Actor);
    }

    [Fact]
    public async Task Assignments_DelegateAndManager_ShowChefWithValidityAndReason()
    {
        // Arrange
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today, today.AddDays(14));
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);

        // Act
        var bertils = await DelegationFlow.AssignmentsAsync(app, Demo.Bertil);
        var annas = await DelegationFlow.AssignmentsAsync(app, Demo.Anna);
        var cecilias = await DelegationFlow.AssignmentsAsync(app, Demo.Cecilia);

        // Assert: the delegate holds "Chef" for the period, delegated by Anna; Anna holds it from KiV (R7, R8, R12).
        var delegated = Assert.Single(bertils, a => a.Resource == "Chef");
        Assert.Equal(DelegationFlow.Date(today), delegated.ValidFrom);
        Assert.Equal(DelegationFlow.Date(today.AddDays(14)), delegated.ValidTo);
        Assert.Equal(["Delegerad av Anna Andersson"], delegated.Reasons);
        Assert.Equal(nameof(DelegationStatus.Active), delegated.Status);
        var own = Assert.Single(annas, a => a.Resource == "Chef");
        Assert.Equal(["KiV"], own.Reasons);
        Assert.DoesNotContain(cecilias, a => a.Resource == "Chef");

        // The wire names are those of API.md.
        using var client = app.As(Demo.Bertil);
        var raw = JsonDocument.Parse(await client.GetStringAsync("/api/me/assignments")).RootElement;
        var chef = raw.EnumerateArray().Single(a => a.GetProperty("resource").GetString() == "Chef");
        Assert.Equal(DelegationFlow.Date(today), chef.GetProperty("validFrom").GetString());
        Assert.Equal("Delegerad av Anna Andersson", chef.GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task InitialPassword_DelegateMailed_LinkRefusedAfterRevocation()
    {
        // Arrange: a new joiner in Anna's unit, starting today, with no earlier user service (R6).
        await DelegationFlow.AwayFromMidnightAsync();
        await using var app = new PortalApp(_inbox);
        var today = DelegationFlow.Today;
        const string olle = "SE2321000131-E000000000099";
        await app.Directory.UpsertIdentityAsync(new Identity(olle, "Olle", "Olsson", "olle.olsson@example.vgregion.se", Protected: false));
        await app.Directory.UpsertEngagementAsync(new Engagement("ENG-0099", olle, "SU-AKUT", "Sjuksköterska", today, null, Demo.Anna));
        var id = await DelegationFlow.CreateAsync(app, Demo.Anna, Demo.Bertil, today, today.AddDays(7));
        await DelegationFlow.WaitForStatusAsync(app, id, DelegationStatus.Active);

        // Act: Bertil orders as delegate; attested; activated today; both holders of the role are mailed.
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Bertil, olle, "ENG-0099");
        await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Bertil, orderId, OrderStatus.Active);
        var bertilsLink = (await DelegationFlow.WaitForEmailAsync(app, m => m.To == DelegationFlow.BertilEmail && m.Subject == "Dags att hämta initialt lösenord"))
            .Link(DelegationFlow.PasswordLinkPrefix);
        var annasLink = (await DelegationFlow.WaitForEmailAsync(app, m => m.To == DelegationFlow.AnnaEmail && m.Subject == "Dags att hämta initialt lösenord"))
            .Link(DelegationFlow.PasswordLinkPrefix);
        var whileActive = await DelegationFlow.OpenLinkAsync(app, Demo.Bertil, bertilsLink);
        using var revoke = await DelegationFlow.RevokeAsync(app, Demo.Anna, id);
        var refused = await DelegationFlow.PostLinkAsync(app, Demo.Bertil, bertilsLink, ("show", "yes"));
        var annaFetches = await DelegationFlow.PostLinkAsync(app, Demo.Anna, annasLink, ("show", "yes"));

        // Assert
        Assert.True(whileActive.Status == HttpStatusCode.OK, $"{(int)whileActive.Status}: {whileActive.Page}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.True(annaFetches.Status == HttpStatusCode.OK, $"{(int)annaFetches.Status}: {annaFetches.Page}");
        var audit = await DelegationFlow.AuditAsync(app, orderId);
        Assert.Contains(audit, e => e.Step == "InitialPasswordNoticeSent" && e.Detail == $"Till {Demo.Bertil} som delegat för {Demo.Anna}");
        Assert.Contains(audit, e => e.Step == "InitialPasswordNoticeSent" && e.Detail == $"Till {Demo.Anna}");
        Assert.Equal(Demo.Anna, Assert.Single(audit, e => e.Step == "InitialPasswordShown").Actor);
    }

    private static string? ProblemTitle(string json) => JsonDocument.Parse(json).RootElement.GetProperty("title").GetString();
}
