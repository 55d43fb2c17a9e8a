using System.Globalization;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>One backend's numbers; the first twelve are the fields scripts compare across runs.</summary>
internal sealed record BackendResult(
    string Backend,
    int Orders,
    int Concurrency,
    double OrdersPerSecond,
    double P50Ms,
    double P95Ms,
    double MaxMs,
    double BaselineRatio,
    double StorageTxPerOrder,
    double? EngineStorageTxPerOrder,
    double CpuSeconds,
    double PeakWorkingSetMb,
    double BaselinePerSecond,
    double BaselineP50Ms,
    double BaselineP95Ms,
    double? BaselineEngineStorageTxPerOrder,
    double? AzuriteCpuSeconds,
    long StatusPolls,
    double StorageTxPerStatusPoll,
    long Retries,
    IReadOnlyDictionary<string, double> StorageTxByResource)
{
    public static void PrintTable(IReadOnlyList<BackendResult> results)
    {
        string F(double? value) => value is null ? "n/a" : value.Value.ToString("0.##", CultureInfo.InvariantCulture);
        (string Label, Func<BackendResult, string> Value)[] rows =
        [
            ("orders", r => r.Orders.ToString(CultureInfo.InvariantCulture)),
            ("in flight at once", r => r.Concurrency.ToString(CultureInfo.InvariantCulture)),
            ("orders/s", r => F(r.OrdersPerSecond)),
            ("attested → Active p50 ms", r => F(r.P50Ms)),
            ("attested → Active p95 ms", r => F(r.P95Ms)),
            ("attested → Active max ms", r => F(r.MaxMs)),
            ("baseline skeletons/s", r => F(r.BaselinePerSecond)),
            ("baseline p50 / p95 ms", r => $"{F(r.BaselineP50Ms)} / {F(r.BaselineP95Ms)}"),
            ("lifecycle time / baseline", r => F(r.BaselineRatio)),
            ("portal storage tx/order", r => F(r.StorageTxPerOrder)),
            ("engine storage tx/order", r => F(r.EngineStorageTxPerOrder)),
            ("engine storage tx/skeleton", r => F(r.BaselineEngineStorageTxPerOrder)),
            ("CPU s (this process)", r => F(r.CpuSeconds)),
            ("CPU s (Azurite)", r => F(r.AzuriteCpuSeconds)),
            ("peak working set MB", r => F(r.PeakWorkingSetMb)),
            ("status polls (tx each)", r => $"{r.StatusPolls} ({F(r.StorageTxPerStatusPoll)})"),
            ("503 answers retried", r => r.Retries.ToString(CultureInfo.InvariantCulture)),
        ];
        Console.WriteLine($"{"",-30}" + string.Concat(results.Select(r => $"{r.Backend,14}")));
        foreach (var (label, value) in rows)
        {
            Console.WriteLine($"{label,-30}" + string.Concat(results.Select(r => $"{value(r),14}")));
        }

        foreach (var result in results)
        {
            Console.WriteLine();
            Console.WriteLine($"{result.Backend}: portal storage transactions per order, status polls included, by table/queue and method");
            foreach (var (resource, perOrder) in result.StorageTxByResource)
            {
                Console.WriteLine($"  {resource,-40}{perOrder,8:0.00}");
            }
        }
    }
}
