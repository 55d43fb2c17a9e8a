using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.Passwords;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>
/// The lifecycle's email activities, run directly (as the durable worker would) against Azurite and a real SMTP
/// server on loopback. Eva (orderer, SDA) orders Standard for Hugo; Fredrik is Hugo's line manager.
/// </summary>
public sealed class OrderEmailActivityTests : IAsyncLifetime
{
    private const string Fredrik = "fredrik.falk@example.vgregion.se";
    private const string Eva = "eva.ek@example.vgregion.se";
    private const string Comment = "Behöver journalsystemet från nästa pass";
    private StorageTestContext _context = null!;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private Task<Order> PlaceHugoOrderAsync() =>
        _context.PlaceAsync(_context.NewOrder(Demo.Hugo, Demo.HugoEngagement, Demo.Eva, Demo.Fredrik, "Standard", OrderStatus.PendingApproval, Comment));

    private Task<bool> RequestApprovalAsync(Order order, bool reminder = false) =>
        _context.Create<RequestApprovalActivity>().RunForOrderAsync(order.OrderId, new ApprovalRequest(order.OrderId, DateTime.UtcNow.AddDays(14), reminder));

    private void AssertSubjectNamesNoOne(ReceivedEmail email)
    {
        foreach (var identity in _context.Organization.Identities)
        {
            Assert.DoesNotContain(identity.GivenName, email.Subject, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(identity.FamilyName, email.Subject, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task RequestApprovalActivity_PendingOrder_EmailsApproverInSwedishWithOrderDetails()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();

        // Act
        var sent = await RequestApprovalAsync(order);

        // Assert
        Assert.True(sent);
        var email = await _context.Inbox.WaitForAsync(m => m.To == Fredrik);
        Assert.StartsWith("Hej Fredrik,", email.Text, StringComparison.Ordinal);
        Assert.Contains("behöver ditt godkännande", email.Text, StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", email.Text, StringComparison.Ordinal);
        Assert.Contains("Nivå: Standard", email.Text, StringComparison.Ordinal);
        Assert.Contains("195 kr per månad", email.Text, StringComparison.Ordinal);
        Assert.Contains("Beställare: Eva Ek", email.Text, StringComparison.Ordinal);
        Assert.Contains(Comment, email.Text, StringComparison.Ordinal);
        Assert.Contains("Intensivvårdsavdelningen", email.Text, StringComparison.Ordinal);
        Assert.Contains("Med vänlig hälsning", email.Text, StringComparison.Ordinal);
        Assert.Contains("lang=\"sv\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", email.Html, StringComparison.Ordinal);
        Assert.Equal("Beställning väntar på ditt godkännande", email.Subject);
        AssertSubjectNamesNoOne(email);
    }

    [Fact]
    public async Task RequestApprovalActivity_MultiLineParagraphs_HtmlPartKeepsEveryLineBreak()
    {
        // Arrange: the order details are one paragraph of several lines, and so is the signature.
        var order = await PlaceHugoOrderAsync();

        // Act
        await RequestApprovalAsync(order);

        // Assert: as received at the SMTP server, each line of the text part ends in a <br> in the HTML part, and no
        // line break is left encoded (&#xA;), which a mail client shows as a space — all lines run together.
        var email = await _context.Inbox.WaitForAsync(m => m.To == Fredrik);
        Assert.Contains("Medarbetare: Hugo Holm (" + Demo.Hugo + ")\nEngagemang: ", email.Text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Medarbetare: Hugo Holm (" + Demo.Hugo + ")<br>Engagemang: ", email.Html, StringComparison.Ordinal);
        Assert.Contains("<br>Nivå: Standard", email.Html, StringComparison.Ordinal);
        Assert.Contains("<br>Beställare: Eva Ek", email.Html, StringComparison.Ordinal);
        Assert.Contains("Med vänlig hälsning<br>VGR behörighetsportal<br><br>Detta meddelande går inte att svara på.", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("&#xA;", email.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("&#xD;", email.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RequestApprovalActivity_PendingOrder_LinkCarriesTokenForOrderAndApprover()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();
        var signer = _context.Get<LinkSigner>();

        // Act
        await RequestApprovalAsync(order);

        // Assert
        var email = await _context.Inbox.WaitForAsync(m => m.To == Fredrik);
        var link = email.Link("http://localhost/api/approvals/");
        var token = link["http://localhost/api/approvals/".Length..];
        Assert.Equal(LinkProblem.None, signer.TryRead(token, LinkPurpose.Approval, out var read));
        Assert.Equal(order.OrderId, read!.Subject);
        Assert.Equal(Demo.Fredrik, read.Recipient);
        Assert.True(read.ExpiresAt > DateTimeOffset.UtcNow.AddDays(13));
        Assert.Equal(LinkProblem.Invalid, signer.TryRead(token, LinkPurpose.InitialPassword, out _));
        Assert.Contains(link, email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestApprovalActivity_RunTwice_SendsOneEmail()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();

        // Act
        var first = await RequestApprovalAsync(order);
        var second = await RequestApprovalAsync(order);

        // Assert
        Assert.True(first);
        Assert.False(second);
        Assert.Single(await _context.SettledEmailsToAsync(Fredrik));
        Assert.Single(await _context.Get<Behorighetsportal.Audit.AuditLog>().ReadAsync(order.OrderId), e => e.Step == "ApprovalRequested");
    }

    [Fact]
    public async Task RequestApprovalActivity_ThreeConcurrentRuns_SendOneEmail()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => RequestApprovalAsync(order))));

        // Assert
        Assert.Single(await _context.SettledEmailsToAsync(Fredrik));
        Assert.Single(results, sent => sent);
    }

    [Fact]
    public async Task RequestApprovalActivity_Reminder_SendsSeparateEmailStartingWithPaminnelse()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();
        await RequestApprovalAsync(order);

        // Act
        var sent = await RequestApprovalAsync(order, reminder: true);
        var again = await RequestApprovalAsync(order, reminder: true);

        // Assert
        Assert.True(sent);
        Assert.False(again);
        var emails = await _context.SettledEmailsToAsync(Fredrik);
        Assert.Equal(2, emails.Count);
        var reminder = Assert.Single(emails, m => m.Subject.StartsWith("Påminnelse", StringComparison.Ordinal));
        Assert.Contains("påminnelse", reminder.Text, StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", reminder.Text, StringComparison.Ordinal);
        reminder.Link("http://localhost/api/approvals/");
        AssertSubjectNamesNoOne(reminder);
    }

    [Fact]
    public async Task RequestApprovalActivity_AlreadyDecided_SendsNothing()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();
        await _context.Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow));

        // Act
        var sent = await RequestApprovalAsync(order, reminder: true);

        // Assert
        Assert.False(sent);
        Assert.Empty(await _context.SettledEmailsToAsync(Fredrik));
    }

    [Fact]
    public async Task NotifyOrdererActivity_Rejected_EmailsOrdererInSwedishOnce()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();
        await _context.Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Rejected, Demo.Fredrik, DateTimeOffset.UtcNow));
        await _context.Orders.MoveToAsync(order.OrderId, OrderStatus.Rejected);
        var activity = _context.Create<NotifyOrdererActivity>();

        // Act
        var first = await activity.RunForOrderAsync(order.OrderId, new OrdererNotice(order.OrderId, OrderStatus.Rejected));
        var second = await activity.RunForOrderAsync(order.OrderId, new OrdererNotice(order.OrderId, OrderStatus.Rejected));

        // Assert
        Assert.True(first);
        Assert.False(second);
        var email = Assert.Single(await _context.SettledEmailsToAsync(Eva));
        Assert.Equal("Beställning avslogs av chef", email.Subject);
        Assert.StartsWith("Hej Eva,", email.Text, StringComparison.Ordinal);
        Assert.Contains("avslogs av närmaste chef", email.Text, StringComparison.Ordinal);
        Assert.Contains("Standard", email.Text, StringComparison.Ordinal);
        Assert.Contains(order.OrderId, email.Text, StringComparison.Ordinal);
        Assert.Contains("ny beställning", email.Text, StringComparison.Ordinal);
        AssertSubjectNamesNoOne(email);
        Assert.Single(_context.Inbox.Messages);
    }

    [Fact]
    public async Task SendInitialPasswordNoticeActivity_RetriedWithTheWorkflowsTimeAfterACrash_SendsOnceTheLeaseHasRunOut()
    {
        // Arrange: an attempt three minutes ago took the email and died before sending it. The retry carries the
        // same workflow time as that attempt; the lease must still be measured by the clock.
        var order = await PlaceHugoOrderAsync();
        await _context.Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow));
        await _context.Get<UserServiceActivation>().ActivateAsync(order, DateTimeOffset.UtcNow);
        var crashedAt = DateTimeOffset.UtcNow - OneTimeActions.Lease - TimeSpan.FromMinutes(1);
        Assert.True(await _context.Get<OneTimeActions>().TryTakeAsync(order.OrderId, "password-notice|" + Demo.Fredrik, crashedAt));

        // Act
        var sent = await _context.Create<SendInitialPasswordNoticeActivity>()
            .RunForOrderAsync(order.OrderId, new PasswordNoticeRequest(order.OrderId, crashedAt.UtcDateTime));

        // Assert
        Assert.True(sent);
        Assert.Single(await _context.SettledEmailsToAsync(Fredrik));
    }

    [Fact]
    public async Task SendInitialPasswordNoticeActivity_AfterActivation_EmailsManagerPasswordLinkWithoutPassword()
    {
        // Arrange
        var order = await PlaceHugoOrderAsync();
        await _context.Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow));
        var activation = await _context.Get<UserServiceActivation>().ActivateAsync(order, DateTimeOffset.UtcNow);
        Assert.True(activation.NeedsInitialPassword);
        var sealedPassword = (await _context.RowAsync(Demo.Hugo, "initialpassword|" + Demo.HugoEngagement))!.GetString("Sealed");
        var password = _context.Get<InitialPasswordVault>().Open(sealedPassword);
        var activity = _context.Create<SendInitialPasswordNoticeActivity>();

        // Act
        var first = await activity.RunForOrderAsync(order.OrderId, new PasswordNoticeRequest(order.OrderId, DateTime.UtcNow));
        var second = await activity.RunForOrderAsync(order.OrderId, new PasswordNoticeRequest(order.OrderId, DateTime.UtcNow));

        // Assert
        Assert.True(first);
        Assert.False(second);
        var email = Assert.Single(await _context.SettledEmailsToAsync(Fredrik));
        Assert.Single(_context.Inbox.Messages);
        Assert.StartsWith("Hej Fredrik,", email.Text, StringComparison.Ordinal);
        Assert.Contains("initiala lösenordet", email.Text, StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", email.Text, StringComparison.Ordinal);
        AssertSubjectNamesNoOne(email);
        var link = email.Link("http://localhost/api/passwords/");
        var signer = _context.Get<LinkSigner>();
        Assert.Equal(LinkProblem.None, signer.TryRead(link["http://localhost/api/passwords/".Length..], LinkPurpose.InitialPassword, out var token));
        Assert.Equal(order.OrderId, token!.Subject);
        Assert.Equal(Demo.Fredrik, token.Recipient);
        Assert.Equal(LinkProblem.Invalid, signer.TryRead(link["http://localhost/api/passwords/".Length..], LinkPurpose.Approval, out _));
        Assert.DoesNotContain(password, email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(password, email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(password, email.Subject, StringComparison.Ordinal);
    }
}
