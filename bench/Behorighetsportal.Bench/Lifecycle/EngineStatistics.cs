using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// Reads the Azure Storage backend's own statistics, which it publishes only as a log event
/// (<c>OrchestrationServiceStats</c>, with the storage requests since the previous report).
/// </summary>
internal sealed class EngineStatistics : ILoggerProvider, ILogger
{
    private long _storageRequests;

    public long TakeStorageRequests() => Interlocked.Exchange(ref _storageRequests, 0);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> fields)
        {
            foreach (var (key, value) in fields)
            {
                if (key == "StorageRequests" && value is long requests)
                {
                    Interlocked.Add(ref _storageRequests, requests);
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
    }
}
