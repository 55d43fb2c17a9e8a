using Behorighetsportal.Tests.Infrastructure;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// Starts a <see cref="PortalApp"/> — host, demo seed, tables and queue — before a test takes its first snapshot, so
/// the snapshot does not race the start-up's own writes.
/// </summary>
public static class StartedPortal
{
    public static async Task<PortalApp> StartAsync(SmtpInbox inbox, IDictionary<string, string?>? settings = null)
    {
        var app = new PortalApp(inbox, settings);
        try
        {
            using var client = app.As(null);
            await app.Storage.EnsureCreatedAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
