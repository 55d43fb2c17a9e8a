using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Xunit;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>The steps of an order as people and systems take them over HTTP, for tests to read like the process.</summary>
public static class OrderFlow
{
    public static string Today() => Directory.StockholmTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<string> PlaceAsync(PortalApp app, string orderer, string identity, string engagement, string level = "Standard", string? startDate = null, string? comment = "Ny medarbetare")
    {
        using var client = app.As(orderer);
        var response = await client.PostAsJsonAsync("/api/orders", new { identityId = identity, engagementId = engagement, level, startDate = startDate ?? Today(), comment });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
    }

    public static async Task<OrderView> GetAsync(PortalApp app, string caller, string orderId)
    {
        using var client = app.As(caller);
        var response = await client.GetAsync($"/api/orders/{orderId}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OrderView>(JsonBody.Options))!;
    }

    /// <summary>Polls GET /api/orders/{id} until the status is reached (or fails with the last view).</summary>
    public static async Task<OrderView> WaitForStatusAsync(PortalApp app, string caller, string orderId, OrderStatus status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        OrderView view;
        do
        {
            view = await GetAsync(app, caller, orderId);
            if (view.Status == status)
            {
                return view;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Order {orderId} did not reach {status}; it is {view.Status}. History: {string.Join(", ", view.History.Select(h => h.Step))}");
        return view;
    }

    public static async Task<HttpResponseMessage> DecideAsync(PortalApp app, string approver, string link, string decision)
    {
        using var client = app.As(approver);
        return await PageForm.SubmitAsync(client, new Uri(link).PathAndQuery, ("decision", decision));
    }

    public static async Task<HttpResponseMessage> AttestAsync(PortalApp app, string orderId, string decision = "approved", string reference = "MP-1")
    {
        using var client = app.AsMarknadsplatsen();
        return await client.PostAsJsonAsync($"/api/attestations/{orderId}", new { decision, attestant = "Ekonomi Ekonomsson", reference });
    }

    public static async Task<ReceivedEmail> ApprovalEmailAsync(PortalApp app, string approverEmail, string orderId) =>
        await app.Inbox.WaitForAsync(m => m.To == approverEmail && m.Text.Contains("/api/approvals/", StringComparison.Ordinal) && !m.Subject.StartsWith("Påminnelse", StringComparison.Ordinal)
            && TokenSubject(m.Link("http://localhost/api/approvals/")) == orderId);

    /// <summary>The order id a link token is about (its payload, before the signature, is readable; only the signature is secret).</summary>
    public static string TokenSubject(string link)
    {
        var token = link[(link.LastIndexOf('/') + 1)..].Split('.')[^2].Replace('-', '+').Replace('_', '/');
        token += new string('=', (4 - token.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(token)).RootElement.GetProperty("s").GetString()!;
    }
}
