using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.EndToEnd;

/// <summary>
/// The steps of an order as people and systems take them over real HTTP against a <see cref="DevHostProcess"/>.
/// Every failure message carries the end of the devhost's output.
/// </summary>
internal static partial class DevHostFlow
{
    public const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    public const string EvaEmail = "eva.ek@example.vgregion.se";
    public const string ApprovalSubject = "Beställning väntar på ditt godkännande";
    public const string PasswordSubject = "Dags att hämta initialt lösenord";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<(string OrderId, OrderStatus Status)> PlaceAsync(DevHostProcess host, string orderer, string identity, string engagement, string level = "Standard")
    {
        using var client = host.As(orderer);
        using var response = await client.PostAsJsonAsync("/api/orders",
            new { identityId = identity, engagementId = engagement, level, startDate = OrderFlow.Today(), comment = "Ny medarbetare (E2E)" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/orders: expected 202, got {(int)response.StatusCode}: {body}\n{host.OutputTail(60)}");
        var accepted = JsonSerializer.Deserialize<OrderAccepted>(body, JsonBody.Options)!;
        return (accepted.OrderId, accepted.Status);
    }

    public static async Task<OrderView> GetAsync(DevHostProcess host, string caller, string orderId)
    {
        using var client = host.As(caller);
        using var response = await client.GetAsync($"/api/orders/{orderId}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/orders/{orderId}: expected 200, got {(int)response.StatusCode}: {body}\n{host.OutputTail(60)}");
        return JsonSerializer.Deserialize<OrderView>(body, JsonBody.Options)!;
    }

    /// <summary>Polls GET /api/orders/{id} until the status is reached; fails at once on another final status.</summary>
    public static async Task<OrderView> WaitForStatusAsync(DevHostProcess host, string caller, string orderId, OrderStatus status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        OrderStatus[] final = [OrderStatus.Active, OrderStatus.Rejected, OrderStatus.Expired, OrderStatus.Cancelled, OrderStatus.Failed];
        OrderView view;
        do
        {
            view = await GetAsync(host, caller, orderId);
            if (view.Status == status || final.Contains(view.Status))
            {
                break;
            }

            await Task.Delay(150);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(view.Status == status,
            $"Order {orderId} did not reach {status}; it is {view.Status}. History: {string.Join(", ", view.History.Select(h => h.Step))}\n{host.OutputTail()}");
        return view;
    }

    public static async Task<HttpResponseMessage> AttestAsync(DevHostProcess host, string orderId, string decision = "approved", string reference = "MP-E2E-1")
    {
        using var client = host.AsMarknadsplatsen();
        return await client.PostAsJsonAsync($"/api/attestations/{orderId}", new { decision, attestant = "Ekonomi Ekonomsson", reference });
    }

    /// <summary>The approval request (not a reminder) mailed for this order.</summary>
    public static Task<ReceivedEmail> ApprovalEmailAsync(DevHostProcess host, SmtpInbox inbox, string approverEmail, string orderId) =>
        inbox.WaitForAsync(m => m.To == approverEmail && m.Subject == ApprovalSubject
            && m.Text.Contains(host.BaseUrl + "/api/approvals/", StringComparison.Ordinal)
            && OrderFlow.TokenSubject(m.Link(host.BaseUrl + "/api/approvals/")) == orderId, Patience);

    /// <summary>The "fetch the initial password" notice for this order.</summary>
    public static Task<ReceivedEmail> PasswordEmailAsync(DevHostProcess host, SmtpInbox inbox, string managerEmail, string orderId) =>
        inbox.WaitForAsync(m => IsPasswordEmail(host, m, managerEmail, orderId), Patience);

    public static bool IsPasswordEmail(DevHostProcess host, ReceivedEmail m, string managerEmail, string orderId) =>
        m.To == managerEmail && m.Subject == PasswordSubject
        && m.Text.Contains(host.BaseUrl + "/api/passwords/", StringComparison.Ordinal)
        && OrderFlow.TokenSubject(m.Link(host.BaseUrl + "/api/passwords/")) == orderId;

    /// <summary>
    /// Waits until the order's orchestration has run its first episode and parked: Running in the task hub's
    /// instance table, with its timers created (the attestation expiry), i.e. waiting for the attestation event.
    /// </summary>
    public static async Task WaitUntilParkedAsync(DevHostProcess host, string orderId)
    {
        var deadline = DateTime.UtcNow + Patience;
        var seen = "no instance row";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var instance = await host.DurableInstances.GetEntityIfExistsAsync<TableEntity>(orderId, "");
                var status = instance.HasValue ? instance.Value!.GetString("RuntimeStatus") : null;
                var events = new List<string>();
                await foreach (var row in host.DurableHistory.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orderId}")))
                {
                    events.Add(row.GetString("EventType") ?? "?");
                }

                seen = $"status {status ?? "none"}, history [{string.Join(", ", events)}]";
                if (status == "Running" && events.Contains("TimerCreated") && events.Contains("OrchestratorCompleted"))
                {
                    return;
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                seen = "task hub tables not created yet";
            }

            await Task.Delay(150);
        }

        Assert.Fail($"Orchestration {orderId} did not park waiting for attestation; {seen}\n{host.OutputTail()}");
    }

    /// <summary>The provisioning queue's messages (peeked, not taken off), as JSON.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ProvisioningMessagesAsync(DevHostProcess host)
    {
        var queue = host.ProvisioningQueue;
        if (!(await queue.ExistsAsync()).Value)
        {
            return [];
        }

        var peeked = await queue.PeekMessagesAsync(maxMessages: 32);
        return peeked.Value.Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement.Clone()).ToList();
    }

    /// <summary>The text of the page's <c>&lt;code id="secret"&gt;</c>, HTML-decoded as a browser shows it; null when absent.</summary>
    public static string? Secret(string html)
    {
        var match = SecretElement().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["value"].Value) : null;
    }

    [GeneratedRegex("<code id=\"secret\"[^>]*>(?<value>[^<]*)</code>")]
    private static partial Regex SecretElement();
}
