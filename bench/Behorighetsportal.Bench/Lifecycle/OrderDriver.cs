using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Behorighetsportal.Http;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>One employee of the generated unit, the engagement to order for, and the manager who approves.</summary>
internal sealed record BenchEmployee(string HsaId, string EngagementId, string ManagerHsaId);

/// <summary>
/// Takes one order through its whole life over HTTP, as the people and systems around the portal do: the employee
/// orders for herself, the manager approves from the emailed link, Marknadsplatsen attests, the status page shows
/// Active, and the manager gets the password email.
/// </summary>
internal sealed partial class OrderDriver(HttpClient http, Mailroom mail, Poller poller)
{
    private long _retries;

    /// <summary>Requests answered 503 "try again" and sent again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Returns the order id and the time from the attestation callback to Active being visible.</summary>
    public async Task<(string OrderId, TimeSpan AttestedToActive)> DriveAsync(BenchEmployee employee, string today)
    {
        var placed = await SendAsync(() => As(employee.HsaId, HttpMethod.Post, "/api/orders",
            JsonContent.Create(new { identityId = employee.HsaId, engagementId = employee.EngagementId, level = "Standard", startDate = today })));
        var orderId = JsonDocument.Parse(placed).RootElement.GetProperty("orderId").GetString()!;

        // The manager opens the link, then presses Godkänn: the form carries the page's antiforgery token and cookie.
        var approvalLink = await mail.ApprovalLinkAsync(orderId);
        var (token, cookie) = await FormTokenAsync(employee.ManagerHsaId, approvalLink);
        await SendAsync(() =>
        {
            var message = As(employee.ManagerHsaId, HttpMethod.Post, approvalLink,
                new FormUrlEncodedContent([new("decision", "approve"), new("__RequestVerificationToken", token)]));
            message.Headers.Add("Cookie", cookie);
            return message;
        });

        // Marknadsplatsen attests an order the manager has approved; the portal refuses one still waiting.
        await poller.UntilAsync(async () => await StatusAsync(employee.HsaId, orderId) != "PendingApproval");

        var attested = Stopwatch.GetTimestamp();
        await SendAsync(() => Marknadsplatsen(HttpMethod.Post, $"/api/attestations/{orderId}",
            JsonContent.Create(new { decision = "approved", attestant = "Ekonomi Ekonomsson", reference = "MP-" + orderId })));
        await poller.UntilAsync(async () => await StatusAsync(employee.HsaId, orderId) == "Active");
        var latency = Stopwatch.GetElapsedTime(attested);

        await mail.PasswordLinkAsync(orderId);
        return (orderId, latency);
    }

    public async Task<string> StatusAsync(string caller, string orderId)
    {
        using var response = await http.SendAsync(As(caller, HttpMethod.Get, $"/api/orders/{orderId}", null));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>The approval page's antiforgery token and the cookie it came with (the client keeps no cookies: callers share it).</summary>
    private async Task<(string Token, string Cookie)> FormTokenAsync(string caller, string link)
    {
        using var response = await http.SendAsync(As(caller, HttpMethod.Get, link, null));
        var html = await response.Content.ReadAsStringAsync();
        var token = HiddenToken().Match(html);
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith(FormProtection.CookieName + "=", StringComparison.Ordinal))
            : null;
        return token.Success && cookie is not null
            ? (WebUtility.HtmlDecode(token.Groups["token"].Value), cookie)
            : throw new InvalidOperationException($"GET {link}: {(int)response.StatusCode}, no form: {html}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]*)\"")]
    private static partial Regex HiddenToken();

    /// <summary>Sends until answered with success; a 503 is the portal's "stored, try again", and is tried again.</summary>
    private async Task<string> SendAsync(Func<HttpRequestMessage> request)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = request();
            using var response = await http.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode < 400)
            {
                return body;
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                throw new InvalidOperationException($"{message.Method} {message.RequestUri}: {(int)response.StatusCode} {body}");
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(200);
        }
    }

    private static HttpRequestMessage As(string hsaId, HttpMethod method, string path, HttpContent? content)
    {
        var message = new HttpRequestMessage(method, path) { Content = content };
        message.Headers.Add("X-MS-CLIENT-PRINCIPAL", CallerReader.PrincipalFor(hsaId));
        return message;
    }

    private static HttpRequestMessage Marknadsplatsen(HttpMethod method, string path, HttpContent content)
    {
        var message = new HttpRequestMessage(method, path) { Content = content };
        message.Headers.Add("x-functions-key", BenchPortal.MarknadsplatsenKey);
        return message;
    }

    public static string Today() => Directory.StockholmTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
