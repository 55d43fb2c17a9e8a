using System.Net;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// AMU applications (R11) end to end on the devhost: an employee applies for groups, each group's owner is mailed
/// and approves from the link, the membership is held with who approved it (R12); applying twice is refused; a
/// protected applicant stays unnamed for an owner who is not their manager (R10).
/// </summary>
public sealed class AmuApplicationTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task ApplyAmu_BertilForTwoGroupsApprovedByEachOwner_MembershipsHeldWithApprover()
    {
        // Arrange
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act 1: Bertil applies for Anna's and Gunilla's groups.
        var application = await RequestFlow.ApplyAcceptedAsync(app, Demo.Bertil, RequestFlow.SchemaGroup, RequestFlow.MedicineGroup);
        var schemaRequest = RequestFlow.RequestFor(application, RequestFlow.SchemaGroup);
        var medicineRequest = RequestFlow.RequestFor(application, RequestFlow.MedicineGroup);
        var annasEmail = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, schemaRequest);
        var gunillasEmail = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.GunillaEmail, Demo.Bertil, medicineRequest);
        var annasList = await RequestFlow.ApprovalsAsync(app, Demo.Anna);
        var gunillasList = await RequestFlow.ApprovalsAsync(app, Demo.Gunilla);

        // Assert 1: one request per group, each with its own owner, mailed in Swedish and listed for them alone.
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), application.GetProperty("status").GetString());
        Assert.Equal(2, application.GetProperty("requests").GetArrayLength());
        foreach (var (email, group, greeting) in new[] { (annasEmail, RequestFlow.SchemaGroupName, "Hej Anna,"), (gunillasEmail, RequestFlow.MedicineGroupName, "Hej Gunilla,") })
        {
            Assert.Equal(RequestFlow.AmuApprovalSubject, email.Subject);
            Assert.StartsWith(greeting, email.Text, StringComparison.Ordinal);
            Assert.Contains("Bertil Berg", email.Text, StringComparison.Ordinal);
            Assert.Contains("som ägare av gruppen", email.Text, StringComparison.Ordinal);
            Assert.Contains("Medlemskap i AMU-gruppen " + group, email.Text, StringComparison.Ordinal);
            Assert.Contains("Motivering: Behövs för mitt arbete", email.Text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(RequestFlow.ApprovalEmailsFor(app, Demo.Bertil, schemaRequest), m => m.To != RequestFlow.AnnaEmail);
        Assert.DoesNotContain(RequestFlow.ApprovalEmailsFor(app, Demo.Bertil, medicineRequest), m => m.To != RequestFlow.GunillaEmail);
        var annasItem = Assert.Single(annasList.Items);
        Assert.Equal((nameof(AccessRequestKind.AmuMembership), schemaRequest, Demo.Bertil), (annasItem.Kind, annasItem.Id, annasItem.SubjectId));
        Assert.Contains(RequestFlow.SchemaGroupName, annasItem.Summary, StringComparison.Ordinal);
        Assert.Equal(medicineRequest, Assert.Single(gunillasList.Items).Id);

        // Act 2: each owner approves.
        using var annaApproves = await RequestFlow.DecideAsync(app, Demo.Anna, annasEmail.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        using var gunillaApproves = await RequestFlow.DecideAsync(app, Demo.Gunilla, gunillasEmail.Link(RequestFlow.ApprovalLinkPrefix), "approve");
        var schemaOutcome = await RequestFlow.WaitForCompletionAsync(app, schemaRequest);
        var medicineOutcome = await RequestFlow.WaitForCompletionAsync(app, medicineRequest);

        // Assert 2: both memberships held from today, with the approver named; the lists are empty again.
        Assert.Equal(HttpStatusCode.OK, annaApproves.StatusCode);
        Assert.Equal(HttpStatusCode.OK, gunillaApproves.StatusCode);
        Assert.Equal((AccessRequestStatus.Active, AccessRequestStatus.Active), (schemaOutcome, medicineOutcome));
        var assignments = await RequestFlow.AssignmentsAsync(app, Demo.Bertil);
        var schema = Assert.Single(assignments, a => a.Resource == "AMU " + RequestFlow.SchemaGroupName);
        var medicine = Assert.Single(assignments, a => a.Resource == "AMU " + RequestFlow.MedicineGroupName);
        Assert.Contains("Godkänd av Anna Andersson", schema.Reasons);
        Assert.Contains("Godkänd av Gunilla Granath", medicine.Reasons);
        Assert.Contains("Ansökan " + schemaRequest, schema.Reasons);
        Assert.Equal((RequestFlow.Date(RequestFlow.Today), "Active"), (schema.ValidFrom, schema.Status));
        Assert.Empty((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items);
        Assert.Empty((await RequestFlow.ApprovalsAsync(app, Demo.Gunilla)).Items);
        var given = Assert.Single(await RequestFlow.AuditAsync(app, medicineRequest), e => e.Step == "ApprovalGiven");
        Assert.Equal((Demo.Gunilla, (string?)null), (given.Actor, given.Detail));

        // Act 3: applying again for a group he holds.
        var before = await StoredState.SettledAsync(app);
        using var again = await RequestFlow.ApplyAsync(app, Demo.Bertil, new { groupIds = RequestFlow.Ids(RequestFlow.SchemaGroup) });

        // Assert 3
        var problem = await ProblemAssert.IsAsync(again, HttpStatusCode.Conflict);
        Assert.Contains("Du är redan medlem i " + RequestFlow.SchemaGroupName, problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(app, "an AMU application for a group already held");
    }

    [Fact]
    public async Task ApplyAmu_GroupAlreadyAppliedFor_Returns409NamingItAndStoresNothing()
    {
        // Arrange: Bertil's application for Anna's group waits for her.
        await using var app = await StartedPortal.StartAsync(_inbox);
        var first = await RequestFlow.ApplyAcceptedAsync(app, Demo.Bertil, RequestFlow.SchemaGroup);
        await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, RequestFlow.RequestFor(first, RequestFlow.SchemaGroup));
        var before = await StoredState.SettledAsync(app);

        // Act: again, alone and together with a new group.
        using var alone = await RequestFlow.ApplyAsync(app, Demo.Bertil, new { groupIds = RequestFlow.Ids(RequestFlow.SchemaGroup) });
        using var together = await RequestFlow.ApplyAsync(app, Demo.Bertil, new { groupIds = RequestFlow.Ids(RequestFlow.MedicineGroup, RequestFlow.SchemaGroup) });

        // Assert: a clear Swedish answer naming the group; not even the new group is applied for.
        foreach (var response in new[] { alone, together })
        {
            var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
            Assert.Contains($"Du har redan en ansökan om {RequestFlow.SchemaGroupName} som väntar på godkännande", problem.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(RequestFlow.MedicineGroupName, problem.Detail, StringComparison.Ordinal);
        }

        await before.AssertUnchangedAsync(app, "an AMU application for a group already applied for");
    }

    [Fact]
    public async Task ApplyAmu_ProtectedDaliaForGunillasGroup_GunillaNeverSeesHerName()
    {
        // Arrange: Dalia (protected, Anna's report) applies for Gunilla's group; Gunilla is not her nearest manager.
        await using var app = await StartedPortal.StartAsync(_inbox);
        var application = await RequestFlow.ApplyAcceptedAsync(app, Demo.Dalia, RequestFlow.MedicineGroup);
        var requestId = RequestFlow.RequestFor(application, RequestFlow.MedicineGroup);
        var email = await RequestFlow.ApprovalEmailAsync(app, RequestFlow.GunillaEmail, Demo.Dalia, requestId);
        var link = email.Link(RequestFlow.ApprovalLinkPrefix);

        // Act
        using var shown = await RequestFlow.OpenLinkAsync(app, Demo.Gunilla, link);
        var page = await shown.Content.ReadAsStringAsync();
        var list = await RequestFlow.ApprovalsAsync(app, Demo.Gunilla);
        using var rejected = await RequestFlow.DecideAsync(app, Demo.Gunilla, link, "reject");
        var resultPage = await rejected.Content.ReadAsStringAsync();
        using var shownAfter = await RequestFlow.OpenLinkAsync(app, Demo.Gunilla, link);
        var closedPage = await shownAfter.Content.ReadAsStringAsync();
        var outcome = await RequestFlow.WaitForCompletionAsync(app, requestId);
        var notice = await app.Inbox.WaitForAsync(m => m.To == RequestFlow.DaliaEmail && m.Subject == "Din begäran avslogs");

        // Assert: she is "a colleague with protected identity" in the email, the pages and the list (R10).
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("skyddad identitet", email.Text, StringComparison.Ordinal);
        Assert.Contains("skyddad identitet", page, StringComparison.Ordinal);
        Assert.Contains(RequestFlow.MedicineGroupName, page, StringComparison.Ordinal);
        foreach (var (what, text) in new[] { ("email text", email.Text), ("email html", email.Html), ("email subject", email.Subject), ("page", page),
                     ("approvals", list.Body), ("result page", resultPage), ("closed page", closedPage) })
        {
            Assert.False(text.Contains("Dalia", StringComparison.OrdinalIgnoreCase) || text.Contains("Dahl", StringComparison.OrdinalIgnoreCase)
                || text.Contains(Demo.Dalia, StringComparison.Ordinal),
                $"Gunilla's {what} names the protected applicant or carries her HSA-id: {text}");
        }

        var item = Assert.Single(list.Items);
        Assert.Equal((requestId, (string?)null, "en medarbetare med skyddad identitet"), (item.Id, item.SubjectId, item.SubjectName));
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(AccessRequestStatus.Rejected, outcome);
        Assert.StartsWith("Hej Dalia,", notice.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await RequestFlow.AssignmentsAsync(app, Demo.Dalia), a => a.Resource.StartsWith("AMU ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DecideApproval_AmuLinkByAnnasDelegate_RefusedOnlyTheOwnerDecides()
    {
        // Arrange: Anna lends her manager role to Bertil; Eva applies for Anna's group.
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);
        var requestId = RequestFlow.RequestFor(await RequestFlow.ApplyAcceptedAsync(app, Demo.Eva, RequestFlow.SchemaGroup), RequestFlow.SchemaGroup);
        var annasLink = await RequestFlow.ApprovalLinkAsync(app, RequestFlow.AnnaEmail, Demo.Eva, requestId);
        var before = await StoredState.SettledAsync(app);

        // Act
        var bertilsList = await RequestFlow.ApprovalsAsync(app, Demo.Bertil);
        using var bertilDecides = await RequestFlow.DecideAsync(app, Demo.Bertil, annasLink, "approve");

        // Assert: the manager role does not carry group ownership.
        Assert.Single(RequestFlow.ApprovalEmailsFor(app, Demo.Eva, requestId));
        Assert.DoesNotContain(bertilsList.Items, i => i.Id == requestId);
        await ProblemAssert.IsPageAsync(bertilDecides, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(app, "an AMU decision by the owner's delegate");
    }
}
