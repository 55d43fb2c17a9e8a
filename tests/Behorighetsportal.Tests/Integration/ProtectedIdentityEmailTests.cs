using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>
/// R10: Dalia Dahl is a protected identity. Her name may reach only her nearest manager Anna (and Dalia herself)
/// by email, whatever the lifecycle sends.
/// </summary>
public sealed class ProtectedIdentityEmailTests : IAsyncLifetime
{
    private const string Anna = "anna.andersson@example.vgregion.se";
    private const string Dalia = "dalia.dahl@example.vgregion.se";
    private StorageTestContext _context = null!;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private void AssertDaliaNamedOnlyTo(params string[] allowed)
    {
        foreach (var email in _context.Inbox.Messages)
        {
            Assert.DoesNotContain("Dalia", email.Subject, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Dahl", email.Subject, StringComparison.OrdinalIgnoreCase);
            if (!allowed.Contains(email.To, StringComparer.OrdinalIgnoreCase))
            {
                foreach (var part in new[] { email.Text, email.Html })
                {
                    Assert.DoesNotContain("Dalia", part, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("Dahl", part, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain(Demo.Dalia, part, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }

    [Fact]
    public async Task SendInitialPasswordNoticeActivity_ProtectedIdentityOrderedByManager_EmailsOnlyTheManager()
    {
        // Arrange: Dalia's user service was inactivated between engagements, so she needs an initial password;
        // Anna, her line manager, orders (no approval needed) and attestation has come.
        var old = _context.Organization.UserServices.Single(s => s.HsaId == Demo.Dalia);
        await _context.Directory.UpsertUserServiceAsync(old with { Status = UserServiceStatus.Inactivated, EndedOn = _context.Today.AddDays(-5) });
        var order = await _context.PlaceAsync(_context.NewOrder(Demo.Dalia, Demo.DaliaEngagement, Demo.Anna, Demo.Anna, "Utökad"));
        Assert.False(order.RequiresApproval);
        await _context.Orders.DecideAttestationAsync(order.OrderId, new Decision(DecisionOutcome.Approved, "attestant", DateTimeOffset.UtcNow, "MP-42"));
        await _context.Orders.MoveToAsync(order.OrderId, OrderStatus.WaitingForStartDate);

        // Act
        var activation = await _context.Create<ActivateUserServiceActivity>().RunForOrderAsync(order.OrderId, new ActivationRequest(order.OrderId, DateTime.UtcNow));
        var sent = await _context.Create<SendInitialPasswordNoticeActivity>().RunForOrderAsync(order.OrderId, new PasswordNoticeRequest(order.OrderId, DateTime.UtcNow));

        // Assert
        Assert.Equal(new ActivationResult(ActivationOutcome.Activated, true), activation);
        Assert.True(sent);
        await _context.Inbox.WaitForAsync(m => m.To == Anna);
        await Task.Delay(300);
        var email = Assert.Single(_context.Inbox.Messages);
        Assert.Equal(Anna, email.To);
        Assert.Contains("Dalia Dahl", email.Text, StringComparison.Ordinal);
        email.Link("http://localhost/api/passwords/");
        AssertDaliaNamedOnlyTo(Anna);
    }

    [Fact]
    public async Task OrderLifecycleEmails_ProtectedIdentityOrdersForHerself_NameReachesOnlyManagerAndHerself()
    {
        // Arrange: Dalia orders for herself; Anna must approve, then rejects.
        var order = await _context.PlaceAsync(_context.NewOrder(Demo.Dalia, Demo.DaliaEngagement, Demo.Dalia, Demo.Anna, "Utökad", comment: "Förskrivning"));

        // Act
        await _context.Create<RequestApprovalActivity>().RunForOrderAsync(order.OrderId, new ApprovalRequest(order.OrderId, DateTime.UtcNow.AddDays(14), false));
        await _context.Create<RequestApprovalActivity>().RunForOrderAsync(order.OrderId, new ApprovalRequest(order.OrderId, DateTime.UtcNow.AddDays(14), true));
        await _context.Orders.DecideApprovalAsync(order.OrderId, new Decision(DecisionOutcome.Rejected, Demo.Anna, DateTimeOffset.UtcNow));
        await _context.Orders.MoveToAsync(order.OrderId, OrderStatus.Rejected);
        await _context.Create<NotifyOrdererActivity>().RunForOrderAsync(order.OrderId, new OrdererNotice(order.OrderId, OrderStatus.Rejected));

        // Assert
        await _context.Inbox.WaitForAsync(m => m.To == Dalia);
        await Task.Delay(300);
        Assert.Equal(2, _context.Inbox.To(Anna).Count);
        Assert.Single(_context.Inbox.To(Dalia));
        Assert.Equal(3, _context.Inbox.Messages.Count);
        AssertDaliaNamedOnlyTo(Anna, Dalia);
    }
}
