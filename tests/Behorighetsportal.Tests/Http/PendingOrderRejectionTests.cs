using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Requests against an order that waits for Fredrik's approval, each of which must be refused without
/// touching it: a second order, early or bad attestations, approval links that are tampered with, expired,
/// made for another purpose or opened by someone else, and looking at or cancelling it as an outsider.
/// </summary>
public sealed class PendingOrderRejectionTests(PendingOrderFixture fixture) : IClassFixture<PendingOrderFixture>
{
    private PortalApp App => fixture.App;

    // ---- POST /api/orders ----

    [Theory]
    [InlineData(Demo.Eva)] // the same orderer again
    [InlineData(Demo.Fredrik)] // the line manager
    [InlineData(Demo.Hugo)] // the person themself
    public async Task PlaceOrder_SecondForEngagementInProgress_Returns409AndStoresOnlyTheFirst(string orderer)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await OrderRequests.PlaceAsync(App, orderer, OrderRequests.Valid(level: "Utökad"));

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(Demo.HugoEngagement, problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "a second order for the same engagement");
        Assert.Equal([fixture.OrderId], before.Tables["Orders"].Keys.Where(k => k.EndsWith(" / order", StringComparison.Ordinal)).Select(k => k.Split(' ')[0]));
        Assert.Equal([fixture.OrderId], before.Instances.Keys);
    }

    // ---- POST /api/attestations/{orderId} ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData(Demo.MarknadsplatsenKey + "x")]
    [InlineData("TEST-MARKNADSPLATSEN-KEY")]
    public async Task Attest_WithoutOrWithWrongKey_Returns401AndStoresNothing(string? key)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        using var client = App.AsIntegration(key);

        // Act
        var response = await client.PostAsJsonAsync($"/api/attestations/{fixture.OrderId}", new { decision = "approved", attestant = "Ekonom", reference = "MP-1" });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("x-functions-key", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, $"an attestation with key '{key}'");
    }

    [Fact]
    public async Task Attest_WithKivsKey_Returns403AndStoresNothing()
    {
        // Arrange: KiV's key is genuine, but it opens the directory import only, not attestation (R3).
        var before = await StoredState.ReadAsync(App);
        using var kiv = App.AsKiv();

        // Act
        var response = await kiv.PostAsJsonAsync($"/api/attestations/{fixture.OrderId}", new { decision = "approved", attestant = "Ekonom", reference = "MP-1" });

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("Katalog i Väst", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Marknadsplatsen", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an attestation with KiV's key");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    [Fact]
    public async Task Attest_PersonPrincipalInsteadOfKey_Returns401AndStoresNothing()
    {
        // Arrange: a signed-in manager is not Marknadsplatsen.
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(Demo.Fredrik);

        // Act
        var response = await client.PostAsJsonAsync($"/api/attestations/{fixture.OrderId}", new { decision = "approved", attestant = "Fredrik", reference = "MP-1" });

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
        await before.AssertUnchangedAsync(App, "an attestation by a person");
    }

    [Theory]
    [InlineData("malformed JSON", "{\"decision\":", null)]
    [InlineData("JSON array", "[{\"decision\":\"approved\",\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}]", null)]
    [InlineData("empty body", null, null)]
    [InlineData("decision a number", "{\"decision\":1,\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}", null)]
    [InlineData("unknown decision", "{\"decision\":\"maybe\",\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}", "decision")]
    [InlineData("decision in Swedish", "{\"decision\":\"godkänd\",\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}", "decision")]
    [InlineData("decision in capitals", "{\"decision\":\"Approved\",\"attestant\":\"Ekonom\",\"reference\":\"MP-1\"}", "decision")]
    [InlineData("attestant missing", "{\"decision\":\"approved\",\"reference\":\"MP-1\"}", "attestant")]
    [InlineData("reference blank", "{\"decision\":\"approved\",\"attestant\":\"Ekonom\",\"reference\":\"  \"}", "reference")]
    public async Task Attest_BadBody_Returns400AndStoresNothing(string what, string? json, string? field)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        using var client = App.AsMarknadsplatsen();

        // Act
        var response = await client.PostAsync($"/api/attestations/{fixture.OrderId}", HttpExtensions.Json(json ?? ""));

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.NotEmpty(problem.Errors(field));
        }

        await before.AssertUnchangedAsync(App, "an attestation with " + what);
    }

    [Theory]
    [InlineData("ORD-0000000000000000")]
    [InlineData("finns-inte")]
    public async Task Attest_UnknownOrder_Returns404AndStoresNothing(string orderId)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await OrderFlow.AttestAsync(App, orderId);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(orderId, problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an attestation for an unknown order");
    }

    [Theory]
    [InlineData("approved")]
    [InlineData("rejected")]
    public async Task Attest_WhilePendingApproval_Returns409AndStoresNothing(string decision)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await OrderFlow.AttestAsync(App, fixture.OrderId, decision);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("godkänd", problem.Detail, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "an attestation before approval");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    // ---- GET and POST /api/approvals/{token} ----

    [Fact]
    public async Task ShowApproval_ByRecipient_ShowsPageAndChangesNothing()
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        var etag = before.Tables["Orders"][fixture.OrderId + " / order"];
        using var fredrik = App.As(Demo.Fredrik);

        // Act: as a mail scanner or a person would, also with what a decision would look like in the query.
        var page = await fredrik.GetAsync($"/api/approvals/{fixture.Token}");
        var withQuery = await fredrik.GetAsync($"/api/approvals/{fixture.Token}?decision=approve");

        // Assert
        var html = await ProblemAssert.IsPageAsync(page, HttpStatusCode.OK);
        Assert.Contains("Godkänn", html, StringComparison.Ordinal);
        Assert.Contains("Avslå", html, StringComparison.Ordinal);
        await ProblemAssert.IsPageAsync(withQuery, HttpStatusCode.OK);
        await before.AssertUnchangedAsync(App, "showing the approval page");
        var after = await StoredState.ReadAsync(App);
        Assert.Equal(etag, after.Tables["Orders"][fixture.OrderId + " / order"]);
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    public static TheoryData<string> Methods() => new() { "GET", "POST" };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Approval_TamperedSignature_Returns400PageAndChangesNothing(string method)
    {
        // Arrange: one character of the signature changed (the first, so it is not a padding bit).
        var (keyId, payload, signature) = Split(fixture.Token);
        var tampered = keyId + "." + payload + "." + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

        // Act, Assert
        var html = await RefusedAsync(method, Demo.Fredrik, tampered, HttpStatusCode.BadRequest);
        Assert.Contains("ogiltig", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Approval_PayloadChangedSignatureKept_Returns400PageAndChangesNothing(string method)
    {
        // Arrange: the readable payload rewritten to name Eva as recipient, with the original signature.
        var (keyId, payload, signature) = Split(fixture.Token);
        var json = JsonNode.Parse(FromBase64Url(payload))!.AsObject();
        json["r"] = Demo.Eva;
        var forged = keyId + "." + ToBase64Url(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())) + "." + signature;

        // Act, Assert
        var html = await RefusedAsync(method, Demo.Eva, forged, HttpStatusCode.BadRequest);
        Assert.Contains("ogiltig", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "inte-en-token")]
    [InlineData("POST", "inte-en-token")]
    [InlineData("GET", "a.b.c")]
    [InlineData("POST", "x.y")]
    public async Task Approval_Garbage_Returns400PageAndChangesNothing(string method, string token)
    {
        // Act, Assert
        await RefusedAsync(method, Demo.Fredrik, token, HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Approval_Expired_Returns410PageAndChangesNothing(string method)
    {
        // Arrange: a genuine token for this order and Fredrik, whose time has passed.
        var signer = App.Services.GetRequiredService<LinkSigner>();
        var expired = signer.Sign(new LinkToken(LinkPurpose.Approval, fixture.OrderId, Demo.Fredrik, DateTimeOffset.UtcNow.AddMinutes(-1)));

        // Act, Assert
        var html = await RefusedAsync(method, Demo.Fredrik, expired, HttpStatusCode.Gone);
        Assert.Contains("gått ut", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Approval_TokenForAnotherPurpose_Returns400PageAndChangesNothing(string method)
    {
        // Arrange: a genuine initial-password token for the same order and recipient.
        var signer = App.Services.GetRequiredService<LinkSigner>();
        var passwordToken = signer.Sign(new LinkToken(LinkPurpose.InitialPassword, fixture.OrderId, Demo.Fredrik, DateTimeOffset.UtcNow.AddDays(1)));

        // Act, Assert
        var html = await RefusedAsync(method, Demo.Fredrik, passwordToken, HttpStatusCode.BadRequest);
        Assert.Contains("ogiltig", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", Demo.Eva)] // the orderer
    [InlineData("POST", Demo.Eva)]
    [InlineData("POST", Demo.Anna)] // a manager, but not Hugo's
    [InlineData("POST", Demo.Gunilla)] // Fredrik's own manager
    [InlineData("POST", Demo.Hugo)] // the person the order is for
    public async Task Approval_LinkOpenedByAnotherPerson_Returns403PageAndChangesNothing(string method, string caller)
    {
        // Act, Assert
        var html = await RefusedAsync(method, caller, fixture.Token, HttpStatusCode.Forbidden);
        // The page's header names whoever reads it (Hugo, reading as himself); what the page says must not name him.
        var said = caller == Demo.Hugo ? html[html.IndexOf("<main", StringComparison.Ordinal)..] : html;
        Assert.DoesNotContain("Hugo", said, StringComparison.Ordinal);
        Assert.DoesNotContain(Demo.Hugo, html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Approval_NoPrincipal_Returns401PageAndChangesNothing(string method)
    {
        // Act, Assert
        var html = await RefusedAsync(method, null, fixture.Token, HttpStatusCode.Unauthorized);
        Assert.Contains("Logga in", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Hugo", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("maybe")]
    [InlineData("Godkänn")]
    public async Task DecideApproval_WithoutValidDecision_Returns400PageAndChangesNothing(string decision)
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await OrderFlow.DecideAsync(App, Demo.Fredrik, "http://localhost/api/approvals/" + fixture.Token, decision);

        // Assert
        await ProblemAssert.IsPageAsync(response, HttpStatusCode.BadRequest);
        await before.AssertUnchangedAsync(App, $"an approval with decision '{decision}'");
    }

    // ---- GET /api/orders/{id} and POST /api/orders/{id}/cancel ----

    [Theory]
    [InlineData(Demo.Nils)]
    [InlineData(Demo.Maria)]
    [InlineData(Demo.Bertil)]
    [InlineData(Demo.Anna)]
    public async Task GetOrder_ByUnrelatedPerson_Returns404ExactlyLikeUnknownOrder(string caller)
    {
        // Arrange
        using var client = App.As(caller);
        var unknownId = "ORD-" + new string('0', 16);
        var unknown = await client.GetAsync($"/api/orders/{unknownId}");
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await client.GetAsync($"/api/orders/{fixture.OrderId}");

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound);
        await ProblemAssert.IsAsync(unknown, HttpStatusCode.NotFound);
        Assert.Equal(Normalized(await unknown.Content.ReadAsStringAsync(), unknownId), Normalized(problem.Body, fixture.OrderId));
        Assert.DoesNotContain("Hugo", problem.Body, StringComparison.Ordinal);
        await before.AssertUnchangedAsync(App, "looking at someone else's order");
    }

    [Fact]
    public async Task GetOrder_NoPrincipal_Returns401()
    {
        // Arrange
        using var client = App.As(null);

        // Act
        var response = await client.GetAsync($"/api/orders/{fixture.OrderId}");

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(Demo.Nils)]
    [InlineData(Demo.Maria)]
    [InlineData(Demo.Anna)]
    public async Task CancelOrder_ByUnrelatedPerson_Returns404ExactlyLikeUnknownOrderAndChangesNothing(string caller)
    {
        // Arrange
        using var client = App.As(caller);
        var unknownId = "ORD-" + new string('0', 16);
        var unknown = await client.PostAsync($"/api/orders/{unknownId}/cancel", null);
        var before = await StoredState.ReadAsync(App);

        // Act
        var response = await client.PostAsync($"/api/orders/{fixture.OrderId}/cancel", null);

        // Assert
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(Normalized(await unknown.Content.ReadAsStringAsync(), unknownId), Normalized(problem.Body, fixture.OrderId));
        await before.AssertUnchangedAsync(App, "cancelling someone else's order");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
    }

    [Fact]
    public async Task CancelOrder_ByThePersonItIsFor_Returns403AndChangesNothing()
    {
        // Arrange: Hugo may see the order for himself, but only the orderer and the manager may cancel it.
        var before = await StoredState.ReadAsync(App);
        using var hugo = App.As(Demo.Hugo);

        // Act
        var response = await hugo.PostAsync($"/api/orders/{fixture.OrderId}/cancel", null);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden);
        await before.AssertUnchangedAsync(App, "Hugo cancelling the order for himself");
    }

    [Fact]
    public async Task CancelOrder_NoPrincipal_Returns401AndChangesNothing()
    {
        // Arrange
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(null);

        // Act
        var response = await client.PostAsync($"/api/orders/{fixture.OrderId}/cancel", null);

        // Assert
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized);
        await before.AssertUnchangedAsync(App, "an anonymous cancel");
    }

    private async Task<string> RefusedAsync(string method, string? caller, string token, HttpStatusCode status)
    {
        var before = await StoredState.ReadAsync(App);
        using var client = App.As(caller);
        var response = method == "GET"
            ? await client.GetAsync($"/api/approvals/{token}")
            : await PageForm.SubmitAsync(client, $"/api/approvals/{token}", ("decision", "approve"));
        var html = await ProblemAssert.IsPageAsync(response, status);
        await before.AssertUnchangedAsync(App, $"{method} approval link as {caller ?? "nobody"}");
        Assert.Equal(OrderStatus.PendingApproval, (await OrderFlow.GetAsync(App, Demo.Eva, fixture.OrderId)).Status);
        return html;
    }

    private static string Normalized(string json, string orderId)
    {
        var node = JsonNode.Parse(json.Replace(orderId, "<order-id>", StringComparison.Ordinal))!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }

    private static (string KeyId, string Payload, string Signature) Split(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (parts[0], parts[1], parts[2]);
    }

    private static string FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }

    private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
