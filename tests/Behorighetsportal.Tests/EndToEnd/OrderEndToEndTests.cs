using System.Diagnostics;
using System.Net;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Behorighetsportal.Tests.EndToEnd;

/// <summary>
/// The order lifecycle end to end: the devhost as its own OS process, called over real HTTP on loopback, its
/// durable state in Azure Storage on Azurite (task hub and tables of this test's own), its emails caught by a
/// real SMTP server. The devhost's output is written to the test output when the test ends.
/// </summary>
public sealed class OrderEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SmtpInbox _inbox = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private DevHostProcess _host = null!;

    public Task InitializeAsync()
    {
        _host = new DevHostProcess(_inbox);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        try
        {
            output.WriteLine($"--- devhost output ({_host.BaseUrl}, prefix {_host.Prefix}) ---");
            output.WriteLine(_host.OutputTail(400));
        }
        finally
        {
            await _host.DisposeAsync();
            _inbox.Dispose();
        }
    }

    [Fact]
    public async Task Order_EvaOrdersForHugo_FredrikApprovesAttestationActivatesAndPasswordShownOnce()
    {
        // Arrange: Eva is orderer (SDA) for SU-IVA; Hugo's line manager is Fredrik.
        await _host.StartAsync();
        Lap("devhost healthy");

        // Act 1: Eva orders; Fredrik is asked by email.
        var (orderId, placedStatus) = await DevHostFlow.PlaceAsync(_host, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        Assert.Equal(OrderStatus.PendingApproval, placedStatus);
        var approvalEmail = await DevHostFlow.ApprovalEmailAsync(_host, _inbox, DevHostFlow.FredrikEmail, orderId);
        var approvalLink = new Uri(approvalEmail.Link(_host.BaseUrl + "/api/approvals/"));
        Lap("approval email");

        // Assert 1: opening the link shows what is asked, and changes nothing.
        using var fredrik = _host.As(Demo.Fredrik);
        PageForm? approvalForm;
        using (var page = await fredrik.GetAsync(approvalLink))
        {
            var html = await page.Content.ReadAsStringAsync();
            approvalForm = PageForm.From(page, html);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET approval link: {(int)page.StatusCode}: {html}");
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Hugo Holm", html, StringComparison.Ordinal);
            Assert.Contains("Godkänn", html, StringComparison.Ordinal);
            Assert.Contains("Avslå", html, StringComparison.Ordinal);
            Assert.Contains("name=\"decision\" value=\"approve\"", html, StringComparison.Ordinal);
            Assert.Contains("name=\"decision\" value=\"reject\"", html, StringComparison.Ordinal);
        }

        var afterGet = await DevHostFlow.GetAsync(_host, Demo.Eva, orderId);
        Assert.Equal(OrderStatus.PendingApproval, afterGet.Status);
        Assert.DoesNotContain(afterGet.History, h => h.Step is "ApprovalGiven" or "Approved");

        // Act 2: Fredrik approves; Marknadsplatsen attests.
        using (var decided = await PageForm.PostAsync(fredrik, approvalLink.ToString(), approvalForm, ("decision", "approve")))
        {
            var html = await decided.Content.ReadAsStringAsync();
            Assert.True(decided.StatusCode == HttpStatusCode.OK, $"POST approve: {(int)decided.StatusCode}: {html}");
            Assert.Contains("godkänt", html, StringComparison.Ordinal);
        }

        await DevHostFlow.WaitForStatusAsync(_host, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        Lap("PendingAttestation");
        using (var attested = await DevHostFlow.AttestAsync(_host, orderId))
        {
            Assert.True(attested.StatusCode == HttpStatusCode.Accepted, $"POST attestation: {(int)attested.StatusCode}: {await attested.Content.ReadAsStringAsync()}");
        }

        var active = await DevHostFlow.WaitForStatusAsync(_host, Demo.Eva, orderId, OrderStatus.Active);
        Lap("Active");
        Assert.Equal(OrderFlow.Today(), active.ActivationDate);

        // Act 3: Fredrik is told to fetch the initial password.
        var notice = await DevHostFlow.PasswordEmailAsync(_host, _inbox, DevHostFlow.FredrikEmail, orderId);
        Lap("password email");

        // The history is read after the email: the status turns Active a moment before "Activated" is logged.
        var history = (await DevHostFlow.GetAsync(_host, Demo.Eva, orderId)).History.Select(h => h.Step).ToArray();
        Assert.Equal(["Placed", "ApprovalRequested", "ApprovalGiven", "Approved", "AttestationApproved", "Attested", "Activated"],
            history.Where(s => s != "InitialPasswordNoticeSent").ToArray());
        Assert.Contains("Hugo Holm", notice.Text, StringComparison.Ordinal);
        var passwordLink = new Uri(notice.Link(_host.BaseUrl + "/api/passwords/"));

        // Assert 3: Eva (the orderer, not the manager) gets nothing from the link, and takes nothing from Fredrik.
        using var eva = _host.As(Demo.Eva);
        await AssertForbiddenAsync(eva, passwordLink, password: null);

        // Fredrik's GET shows whose password it is and a button, not the password.
        PageForm? passwordForm;
        using (var page = await fredrik.GetAsync(passwordLink))
        {
            var html = await page.Content.ReadAsStringAsync();
            passwordForm = PageForm.From(page, html);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET password link: {(int)page.StatusCode}: {html}");
            Assert.Contains("Hugo Holm", html, StringComparison.Ordinal);
            Assert.Contains("Visa lösenordet", html, StringComparison.Ordinal);
            Assert.Null(DevHostFlow.Secret(html));
        }

        // Fredrik's POST shows it once.
        string password;
        using (var shown = await PageForm.PostAsync(fredrik, passwordLink.ToString(), passwordForm, ("show", "yes")))
        {
            var html = await shown.Content.ReadAsStringAsync();
            Assert.True(shown.StatusCode == HttpStatusCode.OK, $"POST password link: {(int)shown.StatusCode}: {html}");
            Assert.Equal("no-store", shown.Headers.CacheControl?.ToString());
            password = DevHostFlow.Secret(html) ?? throw new Xunit.Sdk.XunitException("No <code id=\"secret\"> on the page:\n" + html);
            Assert.Equal(16, password.Length);
        }

        // A second POST (the same form sent again): gone, and says so, without the password.
        using (var again = await PageForm.PostAsync(fredrik, passwordLink.ToString(), passwordForm, ("show", "yes")))
        {
            var html = await again.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
            Assert.Contains("redan visats", html, StringComparison.Ordinal);
            Assert.Contains("Fredrik Falk", html, StringComparison.Ordinal);
            Assert.DoesNotContain(password, System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
            Assert.Null(DevHostFlow.Secret(html));
        }

        using (var reopened = await fredrik.GetAsync(passwordLink))
        {
            var html = await reopened.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Gone, reopened.StatusCode);
            Assert.Null(DevHostFlow.Secret(html));
        }

        await AssertForbiddenAsync(eva, passwordLink, password);

        // The AD connector got exactly one message for the order, carrying the password sealed, never in clear.
        var messages = await DevHostFlow.ProvisioningMessagesAsync(_host);
        var message = Assert.Single(messages);
        Assert.Equal(orderId, message.GetProperty("messageId").GetString());
        Assert.Equal("ActivateUserService", message.GetProperty("action").GetString());
        Assert.Equal(Demo.Hugo, message.GetProperty("hsaId").GetString());
        Assert.Equal(Demo.HugoEngagement, message.GetProperty("engagementId").GetString());
        Assert.False(string.IsNullOrEmpty(message.GetProperty("initialPasswordSealed").GetString()));
        Assert.DoesNotContain(password, message.GetRawText(), StringComparison.Ordinal);

        Assert.Single(_inbox.Messages, m => DevHostFlow.IsPasswordEmail(_host, m, DevHostFlow.FredrikEmail, orderId));
        Assert.DoesNotContain(_inbox.Messages, m => m.Text.Contains(password, StringComparison.Ordinal) || m.Html.Contains(password, StringComparison.Ordinal));
        Lap("done");
    }

    [Fact]
    public async Task Restart_DevhostKilledWhileWaitingForAttestation_ActivatesOnceWithOnePasswordEmail()
    {
        // Arrange: Fredrik orders for his own report Hugo: no approval (R2), straight to attestation.
        await _host.StartAsync();
        Lap("devhost healthy");
        var (orderId, placedStatus) = await DevHostFlow.PlaceAsync(_host, Demo.Fredrik, Demo.Hugo, Demo.HugoEngagement);
        Assert.Equal(OrderStatus.PendingAttestation, placedStatus);
        await DevHostFlow.WaitForStatusAsync(_host, Demo.Fredrik, orderId, OrderStatus.PendingAttestation);
        await DevHostFlow.WaitUntilParkedAsync(_host, orderId);
        Lap("orchestration parked at attestation");

        // Act: the process dies hard, comes back on the same task hub, and the attestation arrives.
        var killedPid = _host.ProcessId;
        await _host.KillAsync();
        Assert.Null(_host.ProcessId);
        Lap($"killed pid {killedPid}");
        await _host.StartAsync();
        Lap($"restarted as pid {_host.ProcessId}");
        Assert.NotEqual(killedPid, _host.ProcessId);
        Assert.Equal(OrderStatus.PendingAttestation, (await DevHostFlow.GetAsync(_host, Demo.Fredrik, orderId)).Status);

        using (var attested = await DevHostFlow.AttestAsync(_host, orderId))
        {
            Assert.True(attested.StatusCode == HttpStatusCode.Accepted, $"POST attestation: {(int)attested.StatusCode}: {await attested.Content.ReadAsStringAsync()}\n{_host.OutputTail(60)}");
        }

        var active = await DevHostFlow.WaitForStatusAsync(_host, Demo.Fredrik, orderId, OrderStatus.Active);
        Lap("Active");
        await DevHostFlow.PasswordEmailAsync(_host, _inbox, DevHostFlow.FredrikEmail, orderId);
        Lap("password email");

        // Assert: give a duplicate time to show, then count.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var passwordEmails = _inbox.Messages.Where(m => DevHostFlow.IsPasswordEmail(_host, m, DevHostFlow.FredrikEmail, orderId)).ToList();
        Assert.Single(passwordEmails);
        Assert.DoesNotContain(_inbox.Messages, m => m.Subject == DevHostFlow.ApprovalSubject);
        var messages = await DevHostFlow.ProvisioningMessagesAsync(_host);
        var message = Assert.Single(messages);
        Assert.Equal(orderId, message.GetProperty("messageId").GetString());
        var final = await DevHostFlow.GetAsync(_host, Demo.Fredrik, orderId);
        Assert.Equal(OrderStatus.Active, final.Status);
        Assert.Single(final.History, h => h.Step == "Activated");
        Assert.Single(final.History, h => h.Step == "AttestationApproved");
        Assert.DoesNotContain(active.History, h => h.Step == "ApprovalRequested");
        Lap("done");
    }

    /// <summary>GET and POST on the password link as someone it was not mailed to: 403, and no password.</summary>
    private static async Task AssertForbiddenAsync(HttpClient client, Uri link, string? password)
    {
        using var get = await client.GetAsync(link);
        using var post = await PageForm.SubmitAsync(client, link.ToString(), ("show", "yes"));
        foreach (var response in new[] { get, post })
        {
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{response.RequestMessage?.Method} as another person: {(int)response.StatusCode}: {html}");
            Assert.Null(DevHostFlow.Secret(html));
            if (password is not null)
            {
                Assert.DoesNotContain(password, System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
            }
        }
    }

    private void Lap(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");
}
