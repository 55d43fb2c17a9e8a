using System.Net;
using System.Net.Sockets;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Xunit;

namespace Behorighetsportal.Tests.Durable;

/// <summary>A failed activity is tried again (ActivityRetry): a passing fault must not end a workflow and strand its order.</summary>
public sealed class ActivityRetryTests : IDisposable
{
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task ApprovalEmail_RelayDownAtFirst_WorkflowLivesOnAndTheEmailGoesOutWhenItIsBack()
    {
        // Arrange: the SMTP relay's port answers and hangs up at once — a relay that is down.
        var port = SmtpInbox.FreePort();
        var down = new TcpListener(IPAddress.Loopback, port);
        down.Start();
        await using var app = new PortalApp(_inbox, new Dictionary<string, string?> { ["Email:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // Act: Eva orders for Hugo; the approval email to Fredrik meets the relay that is down. Then it is back.
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        using (var refused = await down.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(60)))
        {
            refused.Client.Close();
        }

        down.Stop();
        using var relay = new SmtpInbox(port);
        var email = await relay.WaitForAsync(m => m.To == FredrikEmail && m.Text.Contains("/api/approvals/", StringComparison.Ordinal));

        // Assert: the same workflow sent it, and waits for the decision.
        Assert.Equal(orderId, OrderFlow.TokenSubject(email.Link("http://localhost/api/approvals/")));
        var instance = await app.Durable.GetInstanceAsync(orderId);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance!.RuntimeStatus);
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(app, Demo.Eva, orderId)).Status);
    }
}
