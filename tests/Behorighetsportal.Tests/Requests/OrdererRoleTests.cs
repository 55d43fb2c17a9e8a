using System.Net;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// The orderer role (SDA, R9) end to end on the devhost with the demo organisation, the real durable engine and
/// real SMTP: ordered for units of one's own administration, approved (or not) by the nearest line manager or
/// their active delegate from an emailed link, granted, extended, temporary, expired — and what it lets the
/// holder do (R1, R10, R12).
/// </summary>
public sealed class OrdererRoleTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task OrderOrdererRole_BertilForAkutApprovedByAnna_BertilHoldsRoleAndOrdersForCecilia()
    {
        // Arrange: before the role Bertil can neither find nor order for Cecilia.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        Assert.Empty((await RequestFlow.SearchAsync(app, Demo.Bertil, "Cecilia")).Found);
        using var refusedBefore = await OrderRequests.PlaceAsync(app, Demo.Bertil, OrderRequests.Valid(Demo.Cecilia, Demo.CeciliaEngagement));
        Assert.Equal(HttpStatusCode.Forbidden, refusedBefore.StatusCode);

        // Act 1: Bertil orders the role for the acute unit.
        var accepted = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        var requestId = accepted.GetProperty("orderId").GetString()!;
        var email = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);

        // Assert 1: waiting for Anna, who got a Swedish email with a link and has it in her list.
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), accepted.GetProperty("status").GetString());
        Assert.Equal(["SU-AKUT"], accepted.GetProperty("orgUnitIds").EnumerateArray().Select(u => u.GetString()!).ToArray());
        Assert.Equal(RequestFlow.OrdererRoleApprovalSubject, email.Subject);
        Assert.StartsWith("Hej Anna,", email.Text, StringComparison.Ordinal);
        Assert.Contains("Bertil Berg", email.Text, StringComparison.Ordinal);
        Assert.Contains("som närmaste chef", email.Text, StringComparison.Ordinal);
        Assert.Contains("beställare (SDA) för Akutmottagningen, tills vidare", email.Text, StringComparison.Ordinal);
        Assert.Contains("Godkänn eller avslå", email.Text, StringComparison.Ordinal);
        var listed = Assert.Single((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);
        Assert.Equal((nameof(AccessRequestKind.OrdererRole), Demo.Bertil, (string?)null), (listed.Kind, listed.SubjectId, listed.AsDelegateOf));
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));

        // Act 2: Anna opens the link — a page that shows what is asked and changes nothing.
        var link = email.Link(RequestFlow.ApprovalLinkPrefix);
        var before = await StoredState.SettledAsync(app);
        using var shown = await RequestFlow.OpenLinkAsync(app, Demo.Anna, link);

        // Assert 2
        var page = await ProblemAssert.IsPageAsync(shown, HttpStatusCode.OK);
        Assert.Contains("Bertil Berg", page, StringComparison.Ordinal);
        Assert.Contains("Akutmottagningen", page, StringComparison.Ordinal);
        Assert.Contains("Godkänn", page, StringComparison.Ordinal);
        Assert.Contains("Avslå", page, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "opening the approval page");
        Assert.Equal(AccessRequestStatus.PendingApproval, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);

        // Act 3: Anna approves.
        using var decided = await RequestFlow.DecideAsync(app, Demo.Anna, link, "approve");
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);

        // Assert 3: Bertil holds the role for the unit, with its reason; the approval has left Anna's list.
        Assert.Contains("godkänt", await ProblemAssert.IsPageAsync(decided, HttpStatusCode.OK), StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Active, outcome);
        var role = Assert.Single(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.Equal("Beställare (SDA)", role.Resource);
        Assert.Equal(["Enheter: SU-AKUT", "Beställning " + requestId, "Godkänd av Anna Andersson"], role.Reasons);
        Assert.Equal((null, null, "Active"), (role.ValidFrom, role.ValidTo, role.Status));
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);
        var story = await RequestFlow.AuditAsync(app, requestId);
        Assert.Equal(Demo.Bertil, story.Single(e => e.Step == "Requested").Actor);
        var given = story.Single(e => e.Step == "ApprovalGiven");
        Assert.Equal((Demo.Anna, (string?)null), (given.Actor, given.Detail));
        Assert.Contains("godkänt av " + Demo.Anna, story.Single(e => e.Step == "Granted").Detail, StringComparison.Ordinal);

        // Act 4: as orderer, Bertil searches the unit and orders for Cecilia.
        var cecilia = await RequestFlow.SearchAsync(app, Demo.Bertil, "Cecilia");
        var everyone = await RequestFlow.SearchAsync(app, Demo.Bertil, "SE2321000131");
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Bertil, Demo.Cecilia, Demo.CeciliaEngagement);
        var annasOrderLink = (await OrderFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, orderId)).Link(RequestFlow.ApprovalLinkPrefix);
        using var orderApproved = await OrderFlow.DecideAsync(app, Demo.Anna, annasOrderLink, "approve");

        // Assert 4: the unit's people (never the protected one, nor anyone of another unit); the order needed Anna.
        Assert.Equal(Demo.Cecilia, Assert.Single(cecilia.Found).HsaId);
        Assert.Equal(
            new[] { Demo.Anna, Demo.Bertil, Demo.Cecilia, Demo.Eva, Demo.Karin },
            everyone.Found.Select(f => f.HsaId).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain("Dalia", everyone.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, orderApproved.StatusCode);
        var order = await OrderFlow.WaitForStatusAsync(app, Demo.Bertil, orderId, OrderStatus.PendingAttestation);
        Assert.Contains(order.History, h => h.Step == "ApprovalGiven" && h.Actor == Demo.Anna);
    }

    [Fact]
    public async Task OrderOrdererRole_RejectedByAnna_BertilMailedAvslogsAndHoldsNothing()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT", "SU-IVA") }))
            .GetProperty("orderId").GetString()!;
        var link = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);

        // Act
        using var rejected = await RequestFlow.DecideAsync(app, Demo.Anna, link, "reject");
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);
        var notice = await app.Inbox.WaitForAsync(m => m.To == RequestFlow.BertilEmail && m.Subject == "Din begäran avslogs");

        // Assert
        Assert.Contains("avslagit", await ProblemAssert.IsPageAsync(rejected, HttpStatusCode.OK), StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Rejected, outcome);
        Assert.StartsWith("Hej Bertil,", notice.Text, StringComparison.Ordinal);
        Assert.Contains($"({requestId}) avslogs", notice.Text, StringComparison.Ordinal);
        Assert.Contains("Akutmottagningen, Intensivvårdsavdelningen", notice.Text, StringComparison.Ordinal);
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.Empty((await RequestFlow.SearchAsync(app, Demo.Bertil, "Cecilia")).Found);
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);
        var refused = Assert.Single(await RequestFlow.AuditAsync(app, requestId), e => e.Step == "ApprovalRefused");
        Assert.Equal(Demo.Anna, refused.Actor);
        Assert.DoesNotContain(await RequestFlow.AuditAsync(app, requestId), e => e.Step == "Granted");

        // A new order for the same unit is possible again: nothing is held or waiting.
        var again = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), again.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OrderOrdererRole_NobodyDecidesInTime_ExpiresBertilMailedLinkGone()
    {
        // Arrange: approvals expire after three seconds.
        await using var app = await StartedPortal.StartAsync(_inbox, new Dictionary<string, string?> { ["Workflow:ApprovalExpiresAfter"] = "00:00:03" });
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") }))
            .GetProperty("orderId").GetString()!;
        var link = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);

        // Act
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);
        var notice = await app.Inbox.WaitForAsync(m => m.To == RequestFlow.BertilEmail && m.Subject == "Din begäran upphörde");
        var before = await StoredState.SettledAsync(app);
        using var late = await RequestFlow.DecideAsync(app, Demo.Anna, link, "approve");

        // Assert
        Assert.Equal(AccessRequestStatus.Expired, outcome);
        Assert.Contains("upphörde eftersom ingen godkände den i tid", notice.Text, StringComparison.Ordinal);
        Assert.Contains("gått ut", await ProblemAssert.IsPageAsync(late, HttpStatusCode.Gone), StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "an approval after expiry");
        Assert.Equal(AccessRequestStatus.Expired, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);
        var expired = Assert.Single(await RequestFlow.AuditAsync(app, requestId), e => e.Step == "ApprovalExpired");
        Assert.Equal("system", expired.Actor);
    }

    [Fact]
    public async Task OrderOrdererRole_EvaAddsItUnit_GrantedAlongsideOldUnitsAkutNotTwice()
    {
        // Arrange: someone works at the IT unit, which Eva's demo role (Akut, IVA) does not cover.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        const string ivar = "SE2321000131-E000000000098";
        await app.Directory.UpsertIdentityAsync(new Identity(ivar, "Ivar", "Isaksson", "ivar.isaksson@example.vgregion.se", Protected: false));
        await app.Directory.UpsertEngagementAsync(new Engagement("ENG-0098", ivar, "SU-IT", "Systemförvaltare", RequestFlow.Today.AddDays(-30), null, Demo.Gunilla));
        Assert.Empty((await RequestFlow.SearchAsync(app, Demo.Eva, "Ivar")).Found);

        // Act: Eva asks for Akut (held already) and IT; Anna approves.
        var accepted = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Eva, new { orgUnitIds = RequestFlow.Ids("SU-AKUT", "SU-IT") });
        var requestId = accepted.GetProperty("orderId").GetString()!;
        var email = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Eva, requestId);
        using var approved = await RequestFlow.DecideAsync(app, Demo.Anna, email.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);

        // Assert: only IT was asked for and granted; the old role stands; each unit is held once.
        Assert.Equal(["SU-IT"], accepted.GetProperty("orgUnitIds").EnumerateArray().Select(u => u.GetString()!).ToArray());
        Assert.Contains("IT-enheten", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Akutmottagningen", email.Text, StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Active, outcome);
        var roles = await RequestFlow.OrdererRolesAsync(app, Demo.Eva);
        Assert.Equal(["Enheter: SU-AKUT, SU-IVA", "Enheter: SU-IT"], roles.Select(r => r.Reasons[0]).Order(StringComparer.Ordinal).ToArray());
        Assert.Single(roles, r => r.Reasons[0].Contains("SU-AKUT", StringComparison.Ordinal));
        Assert.Equal(["Enheter: SU-IT", "Beställning " + requestId, "Godkänd av Anna Andersson"], roles.Single(r => r.Reasons[0] == "Enheter: SU-IT").Reasons);
        Assert.Equal(ivar, Assert.Single((await RequestFlow.SearchAsync(app, Demo.Eva, "Ivar")).Found).HsaId);
        Assert.Single((await RequestFlow.SearchAsync(app, Demo.Eva, "Hugo")).Found);

        // Now every unit asked for is held: 409, nothing stored.
        var before = await StoredState.SettledAsync(app);
        using var again = await RequestFlow.OrderRoleAsync(app, Demo.Eva, new { orgUnitIds = RequestFlow.Ids("SU-IT", "SU-IVA") });
        await ProblemAssert.IsAsync(again, HttpStatusCode.Conflict);
        await before.AssertUnchangedAsync(app, "an orderer-role order for units all held");
    }

    [Fact]
    public async Task OrderOrdererRole_AnnaForHerReportBertil_GrantedAtOnceWithoutApproval()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act
        var accepted = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Anna, new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), identityId = Demo.Bertil });
        var requestId = accepted.GetProperty("orderId").GetString()!;
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);
        await StoredState.SettledAsync(app);

        // Assert: the role is Bertil's, approved by Anna placing it; nobody was asked.
        Assert.Equal(nameof(AccessRequestStatus.Approved), accepted.GetProperty("status").GetString());
        Assert.Equal(AccessRequestStatus.Active, outcome);
        Assert.Equal(["Enheter: SU-AKUT", "Beställning " + requestId, "Godkänd av Anna Andersson"], Assert.Single(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil)).Reasons);
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Anna));
        Assert.Empty(RequestFlow.ApprovalEmailsFor(app, Demo.Bertil, requestId));
        Assert.Empty((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items);
        var story = await RequestFlow.AuditAsync(app, requestId);
        Assert.Equal(Demo.Anna, story.Single(e => e.Step == "Requested").Actor);
        Assert.DoesNotContain(story, e => e.Step is "ApprovalRequested" or "ApprovalGiven");
        Assert.Contains("godkänt av " + Demo.Anna, story.Single(e => e.Step == "Granted").Detail, StringComparison.Ordinal);
        Assert.Equal((Demo.Bertil, Demo.Anna), ((await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).SubjectId, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).RequestedBy));
    }

    [Fact]
    public async Task OrderOrdererRole_TemporaryWithDates_GrantedWithValidityUntilItsEnd()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var today = RequestFlow.Today;
        var lastDay = today.AddDays(30);

        // Act
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil,
            new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), validFrom = RequestFlow.Date(today), validTo = RequestFlow.Date(lastDay) })).GetProperty("orderId").GetString()!;
        var email = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
        using var approved = await RequestFlow.DecideAsync(app, Demo.Anna, email.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        await RequestFlow.WaitForStatusAsync(app, Demo.Bertil, requestId, AccessRequestStatus.Active);

        // Assert: granted with its validity; the lifecycle waits for the end.
        Assert.Contains($"{OrderEmails.Date(today)} – {OrderEmails.Date(lastDay)}", email.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var role = Assert.Single(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.Equal((RequestFlow.Date(today), RequestFlow.Date(lastDay), "Active"), (role.ValidFrom, role.ValidTo, role.Status));
        Assert.Single((await RequestFlow.SearchAsync(app, Demo.Bertil, "Cecilia")).Found);
        var instance = await app.Durable.GetInstanceAsync(requestId);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance!.RuntimeStatus);
    }

    [Fact]
    public async Task OrderOrdererRole_StartsLater_ApprovedButNotGrantedBeforeFirstDay()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var firstDay = RequestFlow.Today.AddDays(3);

        // Act
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil,
            new { orgUnitIds = RequestFlow.Ids("SU-AKUT"), validFrom = RequestFlow.Date(firstDay) })).GetProperty("orderId").GetString()!;
        var link = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
        using var approved = await RequestFlow.DecideAsync(app, Demo.Anna, link, "approve");
        await RequestFlow.WaitForStatusAsync(app, Demo.Bertil, requestId, AccessRequestStatus.Approved);
        await StoredState.SettledAsync(app);

        // Assert: approved, waiting for its first day; Bertil cannot use it yet.
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(AccessRequestStatus.Approved, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.Empty((await RequestFlow.SearchAsync(app, Demo.Bertil, "Cecilia")).Found);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await app.Durable.GetInstanceAsync(requestId))!.RuntimeStatus);

        // And the units are taken: asking again is a conflict.
        using var again = await RequestFlow.OrderRoleAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        await ProblemAssert.IsAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AccessRequestLifecycle_TemporaryRole_GrantedOnFirstDayAndEndedAfterLastByItself()
    {
        // Arrange: an approved temporary role whose first and last instants are seconds away instead of days.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var today = RequestFlow.Today;
        var requestId = "SDA-T" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        await RequestFlow.Requests(app).CreateAsync(new AccessRequest(requestId, AccessRequestKind.OrdererRole, Demo.Bertil, Demo.Anna, Demo.Anna,
            ["SU-AKUT"], today, today, null, AccessRequestStatus.Approved, DateTimeOffset.UtcNow));
        var startsAt = DateTime.UtcNow.AddSeconds(2);
        var endsAt = DateTime.UtcNow.AddSeconds(5);

        // Act
        await app.Durable.ScheduleNewOrchestrationInstanceAsync(nameof(AccessRequestLifecycleOrchestrator),
            new AccessRequestLifecycleInput(Demo.Bertil, requestId, false, TimeSpan.FromHours(1), startsAt, endsAt), new StartOrchestrationOptions(requestId));
        var beforeStart = await RequestFlow.OrdererRolesAsync(app, Demo.Bertil);
        await RequestFlow.WaitForStatusAsync(app, Demo.Bertil, requestId, AccessRequestStatus.Active);
        var whileActive = await RequestFlow.OrdererRolesAsync(app, Demo.Bertil);
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);

        // Assert
        Assert.Empty(beforeStart);
        Assert.Equal(RequestFlow.Date(today), Assert.Single(whileActive).ValidTo);
        Assert.Equal(AccessRequestStatus.Ended, outcome);
        Assert.Equal(AccessRequestStatus.Ended, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);
        var steps = (await RequestFlow.AuditAsync(app, requestId)).OrderBy(e => e.At).Select(e => e.Step).ToArray();
        Assert.Equal(["Granted", "Ended"], steps);
        Assert.True(DateTime.UtcNow >= endsAt);
    }

    [Fact]
    public async Task DecideApproval_GunillasDelegateAnna_ApprovesFredriksOrderAsDelegate()
    {
        // Arrange: Gunilla lends her manager role to Anna; Fredrik, Gunilla's report, orders the role for IVA.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Gunilla, Demo.Anna);
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Fredrik, new { orgUnitIds = RequestFlow.Ids("SU-IVA") })).GetProperty("orderId").GetString()!;
        var annasEmail = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Fredrik, requestId);
        var gunillasLink = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.GunillaEmail, Demo.Fredrik, requestId);
        var annasList = await RequestFlow.ApprovalsAsync(app, Demo.Anna);

        // Act
        using var approved = await RequestFlow.DecideAsync(app, Demo.Anna, annasEmail.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);
        using var gunillaLate = await RequestFlow.DecideAsync(app, Demo.Gunilla, gunillasLink, "reject");

        // Assert: Anna was asked and decided as Gunilla's delegate; the audit log says so (R8, R12).
        Assert.Contains("som delegat för Gunilla Granath", annasEmail.Text, StringComparison.Ordinal);
        Assert.Contains("Fredrik Falk", annasEmail.Text, StringComparison.Ordinal);
        var item = Assert.Single(annasList.Items, i => i.Id == requestId);
        Assert.Equal(Demo.Gunilla, item.AsDelegateOf);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(AccessRequestStatus.Active, outcome);
        Assert.Equal(["Enheter: SU-IVA", "Beställning " + requestId, "Godkänd av Anna Andersson som delegat för Gunilla Granath"],
            Assert.Single(await RequestFlow.OrdererRolesAsync(app, Demo.Fredrik)).Reasons);
        var given = Assert.Single(await RequestFlow.AuditAsync(app, requestId), e => e.Step == "ApprovalGiven");
        Assert.Equal((Demo.Anna, "som delegat för " + Demo.Gunilla), (given.Actor, given.Detail));
        Assert.Contains("redan godkänd av Anna Andersson", await ProblemAssert.IsPageAsync(gunillaLate, HttpStatusCode.Conflict), StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Active, (await RequestFlow.GetAsync(app, Demo.Fredrik, requestId)).Status);
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Gunilla)).Items, i => i.Id == requestId);
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);
    }

    [Fact]
    public async Task OrderOrdererRole_DelegateOrdersForThemself_StillWaitsForTheManagerAlone()
    {
        // Arrange: Anna lends her manager role to Bertil.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);

        // Act: Bertil orders the role for himself.
        var accepted = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });

        // Assert: the delegation does not let him approve his own role (R9: the manager approves unless the manager
        // orders): it waits for Anna, he is neither mailed a link nor has it in his list.
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), accepted.GetProperty("status").GetString());
        var requestId = accepted.GetProperty("orderId").GetString()!;
        var annasLink = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
        await StoredState.SettledAsync(app);
        Assert.Empty(await RequestFlow.OrdererRolesAsync(app, Demo.Bertil));
        Assert.DoesNotContain(RequestFlow.ApprovalEmailsFor(app, Demo.Bertil, requestId), m => m.To == RequestFlow.BertilEmail);
        Assert.DoesNotContain((await RequestFlow.ApprovalsAsync(app, Demo.Bertil)).Items, i => i.Id == requestId);
        Assert.Contains((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items, i => i.Id == requestId);

        // Neither Anna's link nor a link addressed to him (as one mailed before this rule would be) lets him decide.
        var ownLink = RequestFlow.ApprovalLinkPrefix + app.Services.GetRequiredService<LinkSigner>().Sign(
            new LinkToken(LinkPurpose.AccessApproval, Demo.Bertil + "|" + requestId, Demo.Bertil, DateTimeOffset.UtcNow.AddHours(1)));
        var before = await StoredState.SettledAsync(app);
        using var onAnnasLink = await RequestFlow.DecideAsync(app, Demo.Bertil, annasLink, "approve");
        using var onOwnLink = await RequestFlow.DecideAsync(app, Demo.Bertil, ownLink, "approve");
        using var ownPage = await RequestFlow.OpenLinkAsync(app, Demo.Bertil, ownLink);
        await ProblemAssert.IsPageAsync(onAnnasLink, HttpStatusCode.Forbidden);
        await ProblemAssert.IsPageAsync(onOwnLink, HttpStatusCode.Forbidden);
        await ProblemAssert.IsPageAsync(ownPage, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(app, "a delegate deciding his own orderer-role order");
        Assert.Equal(AccessRequestStatus.PendingApproval, (await RequestFlow.GetAsync(app, Demo.Bertil, requestId)).Status);
    }

    [Fact]
    public async Task OrderOrdererRole_ForSuMed_CoversUnitsBelowNeverAnotherAdministration()
    {
        // Arrange: Anna gives Bertil, her report, the role for the whole medical clinic.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        var requestId = (await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Anna, new { orgUnitIds = RequestFlow.Ids("SU-MED"), identityId = Demo.Bertil }))
            .GetProperty("orderId").GetString()!;
        Assert.Equal(AccessRequestStatus.Active, await RequestFlow.WaitForCompletionAsync(app, requestId));

        // Act
        var hugo = await RequestFlow.SearchAsync(app, Demo.Bertil, "Hugo");
        var gunilla = await RequestFlow.SearchAsync(app, Demo.Bertil, "Gunilla");
        var nils = await RequestFlow.SearchAsync(app, Demo.Bertil, "Nils");
        var dalia = await RequestFlow.SearchAsync(app, Demo.Bertil, "Dalia");
        using var hugoView = await RequestFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Hugo);
        using var nilsView = await RequestFlow.GetIdentityAsync(app, Demo.Bertil, Demo.Nils);
        var hugoOrder = await OrderFlow.PlaceAsync(app, Demo.Bertil, Demo.Hugo, Demo.HugoEngagement);
        var before = await StoredState.SettledAsync(app);
        using var nilsOrder = await OrderRequests.PlaceAsync(app, Demo.Bertil, OrderRequests.Valid(Demo.Nils, Demo.NilsEngagement, "Bas"));

        // Assert: IVA and the clinic itself are below SU-MED; NU is not, whatever the units.
        Assert.Equal(Demo.Hugo, Assert.Single(hugo.Found).HsaId);
        Assert.Equal(Demo.Gunilla, Assert.Single(gunilla.Found).HsaId);
        Assert.Empty(nils.Found);
        Assert.Empty(dalia.Found);
        Assert.Equal(HttpStatusCode.OK, hugoView.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nilsView.StatusCode);
        await OrderFlow.ApprovalEmailAsync(app, RequestFlow.FredrikEmail, hugoOrder);
        await ProblemAssert.IsAsync(nilsOrder, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(app, "an order by an SU orderer for someone in NU");
    }
}
