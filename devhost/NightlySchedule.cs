using Behorighetsportal.Directory;
using Behorighetsportal.Kiv;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.DevHost;

/// <summary>
/// The devhost's stand-in for the Functions timer trigger: starts the nightly reconciliation at 02:00
/// Europe/Stockholm. The instance id is per day, so a restart at night does not run it twice.
/// </summary>
public sealed partial class NightlySchedule(DurableTaskClient durable, TimeProvider clock, ILogger<NightlySchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = StockholmTime.StartOfDayUtc(StockholmTime.DateOn(now).AddDays(1)).AddHours(2);
            await Task.Delay(next - now.UtcDateTime, clock, stoppingToken);
            try
            {
                await NightlyReconciliationOrchestrator.StartAsync(durable, StockholmTime.Today(clock), stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogNotStarted(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "The nightly reconciliation was not started (already running today?)")]
    private static partial void LogNotStarted(ILogger logger, Exception exception);
}
