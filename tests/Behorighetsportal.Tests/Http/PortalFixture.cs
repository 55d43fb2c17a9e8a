using System.Net.Http.Json;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// One devhost (fresh demo organisation, own prefix, own inbox) shared by the tests of a class whose requests
/// are all rejected — each test still compares the stored state around its own request.
/// </summary>
public class PortalFixture : IAsyncLifetime
{
    public SmtpInbox Inbox { get; } = new();

    public PortalApp App { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        // Starts the host (and so the demo seed) and makes sure the tables and queue exist before any snapshot.
        App = await StartedPortal.StartAsync(Inbox);
        using var client = App.As(null);
        (await client.GetAsync("/api/health")).EnsureSuccessStatusCode();
    }

    public virtual async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Inbox.Dispose();
    }
}

/// <summary>
/// A devhost with one order waiting for approval: Eva (orderer for SU-IVA) has ordered Standard for Hugo, and
/// Fredrik, Hugo's manager, has the approval email. Background work has come to rest before the tests run.
/// </summary>
public sealed class PendingOrderFixture : PortalFixture
{
    public const string FredrikEmail = "fredrik.falk@example.vgregion.se";

    public string OrderId { get; private set; } = "";

    /// <summary>The token of Fredrik's approval link, as mailed.</summary>
    public string Token { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        OrderId = await OrderFlow.PlaceAsync(App, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var link = (await OrderFlow.ApprovalEmailAsync(App, FredrikEmail, OrderId)).Link("http://localhost/api/approvals/");
        Token = link[(link.LastIndexOf('/') + 1)..];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await OrderFlow.GetAsync(App, Demo.Eva, OrderId)).History.All(h => h.Step != "ApprovalRequested") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await StoredState.SettledAsync(App);
    }
}

internal static class OrderRequests
{
    public static async Task<HttpResponseMessage> PlaceAsync(PortalApp app, string? caller, object body)
    {
        using var client = app.As(caller);
        return await client.PostAsJsonAsync("/api/orders", body);
    }

    public static async Task<HttpResponseMessage> PlaceRawAsync(PortalApp app, string? caller, string? json)
    {
        using var client = app.As(caller);
        // No body at all is still sent as JSON: what is refused here is the content, not its type (that is CrossSiteTests').
        using var content = HttpExtensions.Json(json ?? "");
        return await client.PostAsync("/api/orders", content);
    }

    public static object Valid(string identity = Demo.Hugo, string engagement = Demo.HugoEngagement, string level = "Standard", string? startDate = null) =>
        new { identityId = identity, engagementId = engagement, level, startDate = startDate ?? OrderFlow.Today(), comment = "Ny medarbetare" };
}
