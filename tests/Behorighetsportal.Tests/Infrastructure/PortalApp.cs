using System.Net.Http.Headers;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>
/// The devhost, in-process: its real routes, handlers and durable engine, on Azurite (tables and queues under
/// a prefix of this test's own) and a loopback SMTP inbox. Durations are short so timers fire within a test.
/// The durable engine is the fast in-memory one unless <see cref="Backend"/> says AzureStorage.
/// </summary>
public sealed class PortalApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Changes to the app's services after its own registrations (e.g. a faulty client for a fault test).</param>
    public PortalApp(SmtpInbox inbox, IDictionary<string, string?>? settings = null, string backend = "InMemory", string? prefix = null,
        Action<IServiceCollection>? services = null)
    {
        _services = services;
        Azurite.EnsureRunning();
        Prefix = prefix ?? Azurite.NewPrefix();
        Inbox = inbox;
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = Prefix,
            ["Durable:Backend"] = backend,
            ["Durable:TaskHub"] = Prefix,
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = inbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Portal:BaseUrl"] = "http://localhost",
            ["Links:SigningKey"] = Demo.SigningKey,
            ["Integration:KivKey"] = Demo.KivKey,
            ["Integration:MarknadsplatsenKey"] = Demo.MarknadsplatsenKey,
            ["Workflow:ApprovalReminderAfter"] = "00:10:00",
            ["Workflow:ApprovalExpiresAfter"] = "01:00:00",
            ["Workflow:AttestationExpiresAfter"] = "01:00:00",
            ["Demo:Seed"] = "true",
            ["Policies:Administrators:SU"] = Demo.Gunilla,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Prefix { get; }

    public SmtpInbox Inbox { get; }

    public DurableTaskClient Durable => Services.GetRequiredService<DurableTaskClient>();

    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();

    public DirectoryRepository Directory => Services.GetRequiredService<DirectoryRepository>();

    /// <summary>An HTTP client that calls as this person (X-MS-CLIENT-PRINCIPAL), or anonymously for null.</summary>
    public HttpClient As(string? hsaId)
    {
        // No cookie jar: a form's antiforgery cookie is sent by hand (PageForm), as explicitly as the principal header.
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (hsaId is not null)
        {
            client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL", Demo.Principal(hsaId));
        }

        return client;
    }

    /// <summary>An HTTP client for KiV, with its key.</summary>
    public HttpClient AsKiv() => AsIntegration(Demo.KivKey);

    /// <summary>An HTTP client for Marknadsplatsen, with its key.</summary>
    public HttpClient AsMarknadsplatsen() => AsIntegration(Demo.MarknadsplatsenKey);

    /// <summary>An HTTP client for a system caller sending this x-functions-key (a wrong one, or none for null).</summary>
    public HttpClient AsIntegration(string? key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}

public static class HttpExtensions
{
    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
