using System.Net;
using Azure.Data.Tables;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.Passwords;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Behorighetsportal.Tests.EndToEnd;

/// <summary>
/// Rotating <c>Links:SigningKey</c> as infra/README.md says, against the devhost as its own process on Azurite with its
/// emails at a loopback SMTP server: links mailed under the old key keep working while it is among
/// <c>Links:PreviousSigningKeys</c>; once it is gone they are refused with a Swedish page, and an initial password sealed
/// under it is kept — not erased — so putting the old key back still shows it.
/// </summary>
public sealed class KeyRotationEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyA = Demo.SigningKey;
    private const string KeyB = "rotated-signing-key-9876543210fedcba9876543210";
    private const string AnnaEmail = "anna.andersson@example.vgregion.se";
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);

    private readonly SmtpInbox _inbox = new();
    private DevHostProcess _host = null!;

    public Task InitializeAsync()
    {
        _host = new DevHostProcess(_inbox, new Dictionary<string, string> { ["Links:SigningKey"] = KeyA });
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
    public async Task Rotation_OldKeyPreviousThenRemovedThenBack_LinksWorkThenRefusedAndPasswordKept()
    {
        // Arrange: under key A, an approval link (Eva orders for Cecilia, Anna approves) and two initial-password links
        // (Fredrik orders for his own Hugo and Johan, Marknadsplatsen attests, both activate today).
        await _host.StartAsync();
        var (cecilia, _) = await DevHostFlow.PlaceAsync(_host, Demo.Eva, Demo.Cecilia, Demo.CeciliaEngagement);
        var approvalLink = new Uri((await DevHostFlow.ApprovalEmailAsync(_host, _inbox, AnnaEmail, cecilia)).Link(_host.BaseUrl + "/api/approvals/"));
        var hugoLink = await ActivatedWithPasswordLinkAsync(Demo.Hugo, Demo.HugoEngagement);
        var (johan, johanLink) = await ActivatedWithPasswordLinkAsync(Demo.Johan, Demo.JohanNewEngagement);
        Assert.Equal(SigningKeyRing.IdOf(KeyA), approvalLink.Segments[^1].Split('.')[0]);

        // Act 1: key B is current, A previous.
        await RestartAsync(KeyB, previous: KeyA);

        // Assert 1: the approval link works (shows, and approves); Hugo's password link shows the password once.
        using var anna = _host.As(Demo.Anna);
        using var fredrik = _host.As(Demo.Fredrik);
        Assert.Contains("Cecilia", await PageAsync(anna.GetAsync(approvalLink), HttpStatusCode.OK), StringComparison.Ordinal);
        Assert.Contains("godkänt", await PageAsync(PageForm.SubmitAsync(anna, approvalLink.ToString(), ("decision", "approve")), HttpStatusCode.OK), StringComparison.Ordinal);
        await DevHostFlow.WaitForStatusAsync(_host, Demo.Eva, cecilia, OrderStatus.PendingAttestation);
        Assert.Contains("Visa lösenordet", await PageAsync(fredrik.GetAsync(hugoLink.Link), HttpStatusCode.OK), StringComparison.Ordinal);
        var hugoPassword = DevHostFlow.Secret(await PageAsync(PageForm.SubmitAsync(fredrik, hugoLink.Link.ToString(), ("show", "yes")), HttpStatusCode.OK));
        Assert.Equal(16, hugoPassword?.Length);
        Assert.Contains("redan visats", await PageAsync(PageForm.SubmitAsync(fredrik, hugoLink.Link.ToString(), ("show", "yes")), HttpStatusCode.Gone), StringComparison.Ordinal);

        // Act 2: key A is removed.
        await RestartAsync(KeyB, previous: null);

        // Assert 2: links signed under A are refused with a Swedish page; the sealed password is not touched — not even
        // by a genuine link signed under B now, for a password no accepted key opens.
        using var annaAgain = _host.As(Demo.Anna);
        using var fredrikAgain = _host.As(Demo.Fredrik);
        Assert.Contains("Länken är ogiltig", await PageAsync(annaAgain.GetAsync(approvalLink), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("Länken är ogiltig", await PageAsync(fredrikAgain.GetAsync(johanLink), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("Länken är ogiltig", await PageAsync(PageForm.SubmitAsync(fredrikAgain, johanLink.ToString(), ("show", "yes")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var underB = new LinkSigner(SigningKeyRing.From(new LinkOptions { SigningKey = KeyB }), TimeProvider.System)
            .Sign(new LinkToken(LinkPurpose.InitialPassword, johan, Demo.Fredrik, DateTimeOffset.UtcNow.AddDays(1)));
        var refused = await PageAsync(PageForm.SubmitAsync(fredrikAgain, "/api/passwords/" + underB, ("show", "yes")), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("inte raderat", refused, StringComparison.Ordinal);
        Assert.Null(DevHostFlow.Secret(refused));
        await AssertStillSealedAsync(Demo.Johan, Demo.JohanNewEngagement, SigningKeyRing.IdOf(KeyA));

        // Act 3: A is put back as a previous key.
        await RestartAsync(KeyB, previous: KeyA);

        // Assert 3: Johan's original link shows his password, once.
        using var fredrikLast = _host.As(Demo.Fredrik);
        var johanPassword = DevHostFlow.Secret(await PageAsync(PageForm.SubmitAsync(fredrikLast, johanLink.ToString(), ("show", "yes")), HttpStatusCode.OK));
        Assert.Equal(16, johanPassword?.Length);
        Assert.NotEqual(hugoPassword, johanPassword);
        Assert.Contains("redan visats", await PageAsync(PageForm.SubmitAsync(fredrikLast, johanLink.ToString(), ("show", "yes")), HttpStatusCode.Gone), StringComparison.Ordinal);
    }

    /// <summary>Fredrik orders for his own report (no approval), Marknadsplatsen attests; the password link mailed to him.</summary>
    private async Task<(string OrderId, Uri Link)> ActivatedWithPasswordLinkAsync(string identity, string engagement)
    {
        var (orderId, placed) = await DevHostFlow.PlaceAsync(_host, Demo.Fredrik, identity, engagement);
        Assert.Equal(OrderStatus.PendingAttestation, placed);
        await DevHostFlow.WaitForStatusAsync(_host, Demo.Fredrik, orderId, OrderStatus.PendingAttestation);
        using (var attested = await DevHostFlow.AttestAsync(_host, orderId, reference: "MP-ROT-" + identity[^3..]))
        {
            Assert.True(attested.StatusCode == HttpStatusCode.Accepted, $"POST attestation: {(int)attested.StatusCode}: {await attested.Content.ReadAsStringAsync()}\n{_host.OutputTail(60)}");
        }

        await DevHostFlow.WaitForStatusAsync(_host, Demo.Fredrik, orderId, OrderStatus.Active);
        var notice = await DevHostFlow.PasswordEmailAsync(_host, _inbox, DevHostFlow.FredrikEmail, orderId);
        return (orderId, new Uri(notice.Link(_host.BaseUrl + "/api/passwords/")));
    }

    /// <summary>A stop as a deployment does it (SIGTERM), then a start with other signing keys on the same storage.</summary>
    private async Task RestartAsync(string signingKey, string? previous)
    {
        var stop = await _host.TerminateAsync(StopBound);
        Assert.True(stop.Exited, $"The devhost did not stop within {StopBound.TotalSeconds} s.\n{_host.OutputTail()}");
        _host.Set("Links:SigningKey", signingKey);
        _host.Set("Links:PreviousSigningKeys", previous);
        await _host.StartAsync();
    }

    private async Task<string> PageAsync(Task<HttpResponseMessage> sending, HttpStatusCode expected)
    {
        using var response = await sending;
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: expected {(int)expected}, got {(int)response.StatusCode}: {html}\n{_host.OutputTail(60)}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("lang=\"sv\"", html, StringComparison.Ordinal);
        return html;
    }

    private async Task AssertStillSealedAsync(string hsaId, string engagementId, string keyId)
    {
        var identities = new TableClient(_host.StorageConnectionString, _host.Prefix + TableNames.Identities);
        var row = (await identities.GetEntityAsync<TableEntity>(hsaId, "initialpassword|" + engagementId)).Value;
        var sealedText = row.GetString("Sealed");
        Assert.False(string.IsNullOrEmpty(sealedText), "The sealed password was erased.");
        Assert.Equal(keyId, InitialPasswordVault.KeyIdOf(sealedText));
        Assert.Null(row.GetString("ShownBy"));
    }
}
