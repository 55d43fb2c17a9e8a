using System.Globalization;
using System.Reflection;
using Behorighetsportal.DevHost.Durable;
using DurableTask.AzureStorage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// The devhost in this process — its routes, handlers, storage and durable engine, as <c>scripts/run.sh</c> runs it —
/// on Azurite under a prefix of the run's own, with the engine-baseline skeleton registered beside the product's
/// orchestrations so both run on the same worker and backend.
/// </summary>
internal sealed class BenchPortal : WebApplicationFactory<Program>
{
    private readonly string backend;
    private readonly int smtpPort;

    public BenchPortal(string backend, int smtpPort)
    {
        this.backend = backend;
        this.smtpPort = smtpPort;

        // The factory looks for the devhost's folder beside the solution under the assembly's name; outside a test
        // run it is found through this variable instead.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_BEHORIGHETSPORTAL_DEVHOST", DevhostFolder());
    }

    public const string SigningKey = "bench-signing-key-0123456789abcdef0123456789";
    /// <summary>Marknadsplatsen's key: the benchmark attests as Marknadsplatsen.</summary>
    public const string MarknadsplatsenKey = "bench-marknadsplatsen-key";

    public string Prefix { get; } = "lc" + Guid.NewGuid().ToString("N")[..8];

    // Internal in DurableTask.AzureStorage 2.11: it is what the engine's periodic statistics report calls.
    private static readonly MethodInfo ReportStats = typeof(AzureStorageOrchestrationService)
        .GetMethod("ReportStats", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
        ?? throw new MissingMethodException(nameof(AzureStorageOrchestrationService), "ReportStats");

    public EngineStatistics EngineStatistics { get; } = new();

    public DurableTaskClient Durable => Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Storage requests the engine has made since the last call (Azure Storage only; null in memory).</summary>
    public long? TakeEngineStorageRequests()
    {
        if (Services.GetRequiredService<DurableEngineHost>().Backend is not AzureStorageOrchestrationService service)
        {
            return null;
        }

        // ReportStats logs the counters and resets them; the periodic report does the same, so the sum of every
        // report since the last call is what the engine did meanwhile.
        ReportStats.Invoke(service, null);
        return EngineStatistics.TakeStorageRequests();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(DevhostFolder());
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Storage:NamePrefix"] = Prefix,
            ["Durable:Backend"] = backend,
            ["Durable:TaskHub"] = Prefix,
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Portal:BaseUrl"] = "http://localhost",
            ["Links:SigningKey"] = SigningKey,
            ["Integration:KivKey"] = "bench-kiv-key",
            ["Integration:MarknadsplatsenKey"] = MarknadsplatsenKey,
            ["Demo:Seed"] = "false",
            // Console logging at Information costs more CPU than the workflows; warnings still show.
            ["Logging:LogLevel:Default"] = "Warning",
            // Logs go to stderr, so stdout carries only the results (--json is read by scripts).
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        };
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(EngineStatistics);
            logging.AddFilter<EngineStatistics>("DurableTask.AzureStorage", LogLevel.Trace);
        });
        builder.ConfigureTestServices(services =>
            services.Configure<DurableTaskRegistry>(Options.DefaultName, EngineBaseline.Register));
    }

    private static string DevhostFolder()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Behorighetsportal.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new DirectoryNotFoundException("Behorighetsportal.sln not found above " + AppContext.BaseDirectory);
        }

        return Path.Combine(root, "devhost");
    }
}
