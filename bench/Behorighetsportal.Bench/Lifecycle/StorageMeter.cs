using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Behorighetsportal.Storage;
using Behorighetsportal.Telemetry;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>Listens to the portal's own <c>storage.transactions</c> counter, by table or queue and method.</summary>
internal sealed class StorageMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public StorageMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PortalTelemetry.Name && instrument.Name == StorageTransactionCounter.InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? resource = null, method = null;
            foreach (var tag in tags)
            {
                if (tag.Key == StorageTransactionCounter.ResourceTag)
                {
                    resource = tag.Value as string;
                }
                else if (tag.Key == StorageTransactionCounter.MethodTag)
                {
                    method = tag.Value as string;
                }
            }

            _counts.AddOrUpdate($"{resource} {method}", value, (_, old) => old + value);
        });
        _listener.Start();
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    public static long Total(IReadOnlyDictionary<string, long> counts) => counts.Values.Sum();

    public static Dictionary<string, long> Difference(IReadOnlyDictionary<string, long> after, IReadOnlyDictionary<string, long> before) =>
        after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(kv => kv.Value != 0)
            .OrderByDescending(kv => kv.Value)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    public void Dispose() => _listener.Dispose();
}
