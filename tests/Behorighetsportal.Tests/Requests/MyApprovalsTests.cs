using System.Net;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// GET /api/me/approvals (R2, R8): what waits for the caller's decision — as manager, and as an active delegate of
/// a manager — and only that; a decided item leaves every list.
/// </summary>
public sealed class MyApprovalsTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task MyApprovals_OrdersEvaPlaced_ListedForTheManagerAndTheManagersDelegate()
    {
        // Arrange: Anna lends her role to Bertil; Eva orders for Hugo (Fredrik's) and for Karin (Anna's).
        await RequestFlow.AwayFromMidnightAsync();
        await using var app = await StartedPortal.StartAsync(_inbox);
        await RequestFlow.DelegateAsync(app, Demo.Anna, Demo.Bertil);
        var hugoOrder = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var karinOrder = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Karin, Demo.KarinNewEngagement, "Utökad");
        await OrderFlow.ApprovalEmailAsync(app, RequestFlow.FredrikEmail, hugoOrder);
        var bertilsLink = (await OrderFlow.ApprovalEmailAsync(app, RequestFlow.BertilEmail, karinOrder)).Link(RequestFlow.ApprovalLinkPrefix);

        // Act
        var fredriks = await RequestFlow.ApprovalsAsync(app, Demo.Fredrik);
        var annas = await RequestFlow.ApprovalsAsync(app, Demo.Anna);
        var bertils = await RequestFlow.ApprovalsAsync(app, Demo.Bertil);
        var evas = await RequestFlow.ApprovalsAsync(app, Demo.Eva);

        // Assert
        Assert.True(fredriks.Status == HttpStatusCode.OK, fredriks.Body);
        var hugo = Assert.Single(fredriks.Items);
        Assert.Equal(("Order", hugoOrder, Demo.Hugo, (string?)null), (hugo.Kind, hugo.Id, hugo.SubjectId, hugo.AsDelegateOf));
        Assert.Contains("Hugo Holm", hugo.Summary, StringComparison.Ordinal);
        var karinForAnna = Assert.Single(annas.Items);
        Assert.Equal((karinOrder, (string?)null), (karinForAnna.Id, karinForAnna.AsDelegateOf));
        var karinForBertil = Assert.Single(bertils.Items);
        Assert.Equal(("Order", karinOrder, Demo.Karin, Demo.Anna), (karinForBertil.Kind, karinForBertil.Id, karinForBertil.SubjectId, karinForBertil.AsDelegateOf));
        Assert.Empty(evas.Items);

        // Act 2: Bertil approves as Anna's delegate.
        using var approved = await OrderFlow.DecideAsync(app, Demo.Bertil, bertilsLink, "approve");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, karinOrder, OrderStatus.PendingAttestation);

        // Assert 2: gone from both lists; Fredrik's item stays.
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Empty((await RequestFlow.ApprovalsAsync(app, Demo.Anna)).Items);
        Assert.Empty((await RequestFlow.ApprovalsAsync(app, Demo.Bertil)).Items);
        Assert.Equal(hugoOrder, Assert.Single((await RequestFlow.ApprovalsAsync(app, Demo.Fredrik)).Items).Id);
    }
}
