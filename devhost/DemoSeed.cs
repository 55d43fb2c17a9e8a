using Behorighetsportal.Directory;
using Behorighetsportal.Policies;

namespace Behorighetsportal.DevHost;

/// <summary>Loads the demo organisation at start when <c>Demo:Seed</c> is true (the devhost default).</summary>
public static partial class DemoSeed
{
    public static IServiceCollection AddDemoSeed(this IServiceCollection services, IConfiguration configuration)
    {
        if (DevHostSettings.DemoSeed(configuration))
        {
            services.AddHostedService<DemoSeeder>();
        }
        else
        {
            services.AddHostedService<PersonIndexBackfill>();
        }

        return services;
    }

    private sealed partial class DemoSeeder(DirectoryRepository directory, PolicyRepository policies, TimeProvider clock, ILogger<DemoSeeder> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // Upserts: seeding again on every start keeps the demo's relative dates ("starts in 14 days") true
            // and leaves orders and user services the portal created alone, except the demo's own rows.
            var demo = DemoOrganization.Load(StockholmTime.Today(clock));
            await demo.SeedAsync(directory, cancellationToken);
            foreach (var policy in demo.AssignmentPolicies)
            {
                await policies.UpsertAsync(policy, cancellationToken);
            }
            LogSeeded(logger, demo.Identities.Count, demo.Engagements.Count);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Demo organisation loaded: {Identities} identities, {Engagements} engagements")]
        private static partial void LogSeeded(ILogger logger, int identities, int engagements);
    }
}
