using Behorighetsportal.DevHost.Durable;
using Behorighetsportal.Storage;

namespace Behorighetsportal.DevHost;

/// <summary>The devhost's own settings, beside the product's (API.md).</summary>
public static class DevHostSettings
{
    /// <summary><c>Demo:Seed</c>: load the demo organisation at start (default true); also what makes the dev sign-in available.</summary>
    public static bool DemoSeed(IConfiguration configuration) => configuration.GetValue("Demo:Seed", defaultValue: true);

    /// <summary>
    /// How long a stop (SIGTERM, Ctrl+C) may take before the host gives up on what has not finished. A healthy stop
    /// takes about a second; the limit is for storage that does not answer (Azurite stopped first), where the durable
    /// engine would otherwise retry releasing its leases for minutes. Unfinished work is retried on the next start.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Bounds the host's stop by <see cref="ShutdownTimeout"/>; every hosted service gets the same deadline.</summary>
    public static IServiceCollection AddBoundedShutdown(this IServiceCollection services) =>
        services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);

    /// <summary>
    /// <c>Durable:MaximumTimerInterval</c>: the longest single durable timer; longer waits (a delegation of
    /// months) are split into timers of at most this length. Default 3 days, inside the 7 days an Azure Storage
    /// queue message may be invisible.
    /// </summary>
    public static IServiceCollection AddDurableTimerSettings(this IServiceCollection services, IConfiguration configuration)
    {
        if (TimeSpan.TryParse(configuration["Durable:MaximumTimerInterval"], System.Globalization.CultureInfo.InvariantCulture, out var interval))
        {
            services.Configure<Microsoft.DurableTask.Worker.DurableTaskWorkerOptions>(options => options.MaximumTimerInterval = interval);
        }

        return services;
    }

    /// <summary>
    /// <c>Durable:Backend</c> = AzureStorage (default; state survives restarts) or InMemory;
    /// <c>Durable:TaskHub</c> names the task hub (default as in host.json).
    /// </summary>
    public static DurableEngineOptions DurableEngine(IConfiguration configuration) => new()
    {
        Backend = Enum.Parse<DurableBackend>(configuration["Durable:Backend"] ?? nameof(DurableBackend.AzureStorage), ignoreCase: true),
        ConnectionString = configuration[StorageOptions.ConnectionStringKey] ?? DurableEngineOptions.DevelopmentStorage,
        TaskHubName = configuration["Durable:TaskHub"] ?? "Behorighetsportal",
        Port = int.TryParse(configuration["Durable:Port"], out var port) ? port : null,
    };
}
