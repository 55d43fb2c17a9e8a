using Behorighetsportal.Directory;

namespace Behorighetsportal.DevHost;

/// <summary>
/// Indexes for the people search whatever was stored before the index existed (DirectoryRepository.BackfillPersonIndexAsync),
/// in the background after start, when the demo seed (which does it itself) is off — a store loaded earlier, such as a
/// benchmark's region. Until it is done the search reads as before.
/// </summary>
public sealed partial class PersonIndexBackfill(DirectoryRepository directory, ILogger<PersonIndexBackfill> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await directory.BackfillPersonIndexAsync(stoppingToken))
            {
                LogBuilt(logger);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, e);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "People search index built from the stored directory")]
    private static partial void LogBuilt(ILogger logger);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "People search index not built; the search reads as before until it is")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
