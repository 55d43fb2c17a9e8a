using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Behorighetsportal.Directory;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Bench.Lifecycle;

/// <summary>
/// Drives N orders through their whole life — order, approval from the emailed link, attestation, activation,
/// password email — through the devhost's code, and in the same run N skeleton orchestrations of the same shape on
/// the same backend (the engine baseline). Once on the in-process engine the tests use, once on Azure Storage on
/// Azurite. Prints throughput, latency from the attestation callback to visible Active, the ratio to the baseline,
/// storage transactions per order (the portal's, counted by its own storage.transactions counter; the engine's,
/// from its own statistics), CPU time and peak working set.
/// </summary>
public static class LifecycleBenchmark
{
    private static readonly JsonSerializerOptions JsonOutput = new(JsonSerializerDefaults.Web);

    private sealed record Options(int? Orders, string[] Backends, int? Concurrency, bool Json);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Options(
            Orders: BenchArgs.Number(args, "--orders"),
            Backends: BenchArgs.Text(args, "--backend") is { } one ? [one] : ["inprocess", "azurite"],
            Concurrency: BenchArgs.Number(args, "--concurrency"),
            Json: args.Contains("--json"));

        List<BackendResult> results = [];
        foreach (var backend in options.Backends)
        {
            var orders = options.Orders ?? (backend == "inprocess" ? 1000 : 200);
            var concurrency = options.Concurrency ?? (backend == "inprocess" ? 100 : 40);
            results.Add(await RunBackendAsync(backend, orders, concurrency, options.Json));
        }

        if (options.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(results, JsonOutput));
        }
        else
        {
            BackendResult.PrintTable(results);
        }

        return 0;
    }

    private static async Task<BackendResult> RunBackendAsync(string backend, int orders, int concurrency, bool quiet)
    {
        void Say(string text)
        {
            if (!quiet)
            {
                Console.Error.WriteLine($"[{backend}] {text}");
            }
        }

        const int warmUp = 20;
        using var mail = new Mailroom(BenchArgs.FreePort());
        await using var portal = new BenchPortal(backend == "azurite" ? "AzureStorage" : "InMemory", mail.Port);
        using var http = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        http.Timeout = TimeSpan.FromMinutes(5);
        await new Poller(TimeSpan.FromMinutes(1)).UntilAsync(async () => (await http.GetAsync("/api/health")).IsSuccessStatusCode);

        Say($"seeding {orders + warmUp} employees under prefix {portal.Prefix}");
        var employees = await SeedAsync(portal.Services.GetRequiredService<DirectoryRepository>(), orders + warmUp);
        using var storage = new StorageMeter();
        var today = OrderDriver.Today();
        var poller = new Poller(TimeSpan.FromMinutes(5));
        var driver = new OrderDriver(http, mail, poller);

        Say("warming up");
        await RunAllAsync(warmUp, concurrency, i => driver.DriveAsync(employees[orders + i], today).ContinueWith(t => t.Result.AttestedToActive, TaskScheduler.Default));
        await RunAllAsync(warmUp, concurrency, i => EngineBaseline.DriveAsync(portal.Durable, $"WARM-{i}", poller));

        Say($"engine baseline: {orders} skeletons, {concurrency} at a time");
        portal.TakeEngineStorageRequests();
        var baseline = await RunAllAsync(orders, concurrency, i => EngineBaseline.DriveAsync(portal.Durable, $"BASE-{i:D6}", poller));
        var baselineEngineRequests = portal.TakeEngineStorageRequests();

        Say($"lifecycle: {orders} orders, {concurrency} at a time");
        var storageBefore = storage.Snapshot();
        var pollsBefore = poller.Polls;
        var retriesBefore = driver.Retries;
        ResetPeakWorkingSet();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var azurite = AzuriteProcess();
        var azuriteCpuBefore = AzuriteCpu(azurite);
        (string Caller, string OrderId)? lastOrder = null;
        var lifecycle = await RunAllAsync(orders, concurrency, async i =>
        {
            var (orderId, latency) = await driver.DriveAsync(employees[i], today);
            lastOrder = (employees[i].HsaId, orderId);
            return latency;
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var azuriteCpu = AzuriteCpu(azurite) - azuriteCpuBefore;
        var peakMb = PeakWorkingSetMb();
        var lifecycleEngineRequests = portal.TakeEngineStorageRequests();
        var storageDuring = StorageMeter.Difference(storage.Snapshot(), storageBefore);
        var polls = poller.Polls - pollsBefore;

        // The status polls are the benchmark watching, not the lifecycle working: measure what one costs and take
        // them out, leaving what the order itself stored and read.
        var beforeProbe = storage.Snapshot();
        const int probes = 20;
        for (var p = 0; p < probes; p++)
        {
            await driver.StatusAsync(lastOrder!.Value.Caller, lastOrder.Value.OrderId);
        }

        var perPoll = (double)StorageMeter.Total(StorageMeter.Difference(storage.Snapshot(), beforeProbe)) / probes;
        var ownTx = StorageMeter.Total(storageDuring) - polls * perPoll;

        return new BackendResult(
            Backend: backend,
            Orders: orders,
            Concurrency: concurrency,
            OrdersPerSecond: Math.Round(orders / lifecycle.Wall.TotalSeconds, 1),
            P50Ms: lifecycle.Percentile(50),
            P95Ms: lifecycle.Percentile(95),
            MaxMs: lifecycle.Percentile(100),
            BaselineRatio: Math.Round(lifecycle.Wall / baseline.Wall, 2),
            StorageTxPerOrder: Math.Round(ownTx / orders, 1),
            EngineStorageTxPerOrder: lifecycleEngineRequests is { } engine ? Math.Round((double)engine / orders, 1) : null,
            CpuSeconds: Math.Round(cpu.TotalSeconds, 1),
            PeakWorkingSetMb: peakMb,
            BaselinePerSecond: Math.Round(orders / baseline.Wall.TotalSeconds, 1),
            BaselineP50Ms: baseline.Percentile(50),
            BaselineP95Ms: baseline.Percentile(95),
            BaselineEngineStorageTxPerOrder: baselineEngineRequests is { } b ? Math.Round((double)b / orders, 1) : null,
            AzuriteCpuSeconds: azuriteCpu is { } a ? Math.Round(a.TotalSeconds, 1) : null,
            StatusPolls: polls,
            StorageTxPerStatusPoll: Math.Round(perPoll, 1),
            Retries: driver.Retries - retriesBefore,
            StorageTxByResource: storageDuring.ToDictionary(kv => kv.Key, kv => Math.Round((double)kv.Value / orders, 2)));
    }

    /// <summary>Runs <paramref name="count"/> drives, at most <paramref name="concurrency"/> at once.</summary>
    private static async Task<Run> RunAllAsync(int count, int concurrency, Func<int, Task<TimeSpan>> drive)
    {
        var latencies = new double[count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                latencies[i] = (await drive(i)).TotalMilliseconds;
            }
        }));
        return new Run(clock.Elapsed, latencies);
    }

    private sealed record Run(TimeSpan Wall, double[] Latencies)
    {
        public double Percentile(int p)
        {
            var sorted = Latencies.Order().ToArray();
            var index = Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1);
            return Math.Round(sorted[index], 1);
        }
    }

    /// <summary>
    /// One administration, a unit per ten employees with its manager; every employee has one current engagement and
    /// may order for herself (R1), so each order waits for her manager's approval (R2).
    /// </summary>
    private static async Task<BenchEmployee[]> SeedAsync(DirectoryRepository directory, int count)
    {
        var today = StockholmTime.Today(TimeProvider.System);
        var units = Math.Max(1, count / 10);
        await directory.UpsertOrgUnitAsync(new OrgUnit("BENCH", "Förvaltning Bänk", "BENCH", null));
        await Parallel.ForAsync(0, units, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (u, ct) =>
        {
            var manager = $"SE2321000131-M{u:D12}";
            await directory.UpsertOrgUnitAsync(new OrgUnit($"BENCH-U{u:D5}", $"Enhet {u}", "BENCH", "BENCH"), ct);
            await directory.UpsertIdentityAsync(new Identity(manager, "Chef", $"Nummer {u}", $"chef{u}@bench.example", false), ct);
            await directory.UpsertEngagementAsync(new Engagement(
                EngagementId: $"MENG-{u:D7}", HsaId: manager, OrgUnitId: $"BENCH-U{u:D5}", Title: "Enhetschef",
                StartDate: today.AddYears(-3), EndDate: null, ManagerHsaId: null), ct);
        });

        var employees = new BenchEmployee[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var unit = i % units;
            var employee = new BenchEmployee($"SE2321000131-E{i:D12}", $"EENG-{i:D7}", $"SE2321000131-M{unit:D12}");
            await directory.UpsertIdentityAsync(new Identity(employee.HsaId, "Medarbetare", $"Nummer {i}", $"medarbetare{i}@bench.example", false), ct);
            await directory.UpsertEngagementAsync(new Engagement(
                EngagementId: employee.EngagementId, HsaId: employee.HsaId, OrgUnitId: $"BENCH-U{unit:D5}", Title: "Sjuksköterska",
                StartDate: today.AddDays(-30), EndDate: null, ManagerHsaId: employee.ManagerHsaId), ct);
            employees[i] = employee;
        });
        return employees;
    }

    /// <summary>Resets the kernel's high-water mark of resident memory, so each run's peak is its own.</summary>
    private static void ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static double PeakWorkingSetMb()
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null ? Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1)
            : Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }

    /// <summary>
    /// The Azurite this run talks to, if one is found on this machine: the one listening on the table port in this
    /// network namespace (several may run, e.g. one per namespace).
    /// </summary>
    private static Process? AzuriteProcess()
    {
        var inodes = File.Exists("/proc/net/tcp")
            ? File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length > 9 && f[1].EndsWith(":2712", StringComparison.Ordinal) && f[3] == "0A").Select(f => f[9]).ToHashSet()
            : [];
        foreach (var process in Process.GetProcessesByName("node"))
        {
            try
            {
                var sockets = System.IO.Directory.EnumerateFileSystemEntries($"/proc/{process.Id}/fd")
                    .Select(fd => new FileInfo(fd).LinkTarget ?? "")
                    .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
                    .Select(target => target[8..^1]);
                if (sockets.Any(inodes.Contains))
                {
                    return process;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    private static TimeSpan? AzuriteCpu(Process? azurite)
    {
        if (azurite is null)
        {
            return null;
        }

        azurite.Refresh();
        return azurite.TotalProcessorTime;
    }
}
