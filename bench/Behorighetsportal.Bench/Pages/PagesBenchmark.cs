using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.OrdererRoles;
using netDumbster.smtp;

namespace Behorighetsportal.Bench.Pages;

/// <summary>
/// <c>bench pages</c>: the portal's pages at the region's size. Loads the generated region (55 000 identities) into an
/// Azurite of its own, gives generated people a whole administration's orderer role, has one of them place orders the
/// real way (POST /api/orders) until each benchmark manager has <c>--waiting</c> orders waiting for approval, then starts
/// the Release devhost as a process of its own and measures each page with <c>--users</c> people signed in at once
/// (X-MS-CLIENT-PRINCIPAL, as App Service Authentication sends it): p50/p95/max per page. Then, on a devhost whose table
/// requests pass a counting proxy, the storage requests per request, one request at a time.
/// A <c>--data</c> folder keeps Azurite's data and what was set up, so a second run measures at once.
/// </summary>
public static class PagesBenchmark
{
    private const string StateFile = "bench-pages.json";

    private sealed record State(string Prefix, int Identities, int Units, int Managers, int Waiting, bool Loaded, bool OrdersPlaced);

    public static async Task<int> RunAsync(string[] args)
    {
        var identities = BenchArgs.Number(args, "--identities") ?? 55_000;
        var units = BenchArgs.Number(args, "--units") ?? 400;
        var users = BenchArgs.Number(args, "--users") ?? 20;
        var samples = BenchArgs.Number(args, "--samples") ?? 200;
        var runs = BenchArgs.Number(args, "--runs") ?? 2;
        var waiting = BenchArgs.Number(args, "--waiting") ?? 200;
        var countSamples = BenchArgs.Number(args, "--count-samples") ?? 3;
        var pagesText = BenchArgs.Text(args, "--pages") is { } file ? await File.ReadAllTextAsync(file) : PageSpec.Default;
        var pages = PageSpec.Parse(pagesText, users, samples);
        var region = GeneratedRegion.Create(identities, units);
        var people = new BenchPeople(region, BenchArgs.Number(args, "--managers") ?? 4, Math.Max(users, pages.Max(p => p.Users)));

        var root = SolutionRoot();
        var data = BenchArgs.Text(args, "--data") ?? Path.Combine(Path.GetTempPath(), "bench-pages-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(data);
        var statePath = Path.Combine(data, StateFile);
        var state = File.Exists(statePath) ? JsonSerializer.Deserialize<State>(await File.ReadAllTextAsync(statePath)) : null;
        if (state is null || state.Identities != identities || state.Units != units || state.Managers != people.Managers.Count || state.Waiting != waiting)
        {
            if (state is not null)
            {
                throw new InvalidOperationException($"{data} holds another setup ({state}); give another --data folder.");
            }

            state = new State("bp" + Guid.NewGuid().ToString("N")[..8], identities, units, people.Managers.Count, waiting, false, false);
        }

        async Task SaveAsync() => await File.WriteAllTextAsync(statePath, JsonSerializer.Serialize(state));

        Console.WriteLine($"bench pages: {identities} identities, {units} units, {people.Managers.Count} managers with {waiting} waiting each, " +
            $"{people.Orderers.Count} orderers; data in {data}");
        // An Azurite of its own keeps its data in the folder; --storage names one already running (say one started with
        // --inMemoryPersistence, which writes no 100 MB file every 5 s while the region loads, shared by several runs).
        var external = BenchArgs.Text(args, "--storage");
        using var azurite = external is null ? await BenchAzurite.StartAsync(root, data) : null;
        var storage = external ?? azurite!.ConnectionString();
        var tablePort = azurite?.TablePort ?? TablePort(external!);
        var directory = RegionLoader.Directory(storage, state.Prefix);
        if (!state.Loaded)
        {
            await RegionLoader.LoadAsync(directory, region);
            await RegionLoader.MarkPersonIndexBuiltAsync(storage, state.Prefix);
            state = state with { Loaded = true };
            await SaveAsync();
        }

        // A whole administration's orderer role for each orderer (R9: their own administration), as approving an
        // orderer-role order writes it. Upserts: the same on every run.
        foreach (var orderer in people.Orderers)
        {
            await directory.UpsertOrdererRoleAsync(new OrdererRole("bench-sda-" + orderer, orderer, people.Administration, [people.Administration], null, null));
        }

        using var smtp = SimpleSmtpServer.Start(BenchArgs.FreePort());
        var devhost = await DevhostAsync(state.Prefix, smtp.Configuration.Port, region, storage);
        try
        {
            if (!state.OrdersPlaced)
            {
                await PlaceOrdersAsync(devhost.Http, people, waiting);
                state = state with { OrdersPlaced = true };
                await SaveAsync();
            }

            var waitingNow = await WaitingAsync(devhost.Http, people);
            Console.WriteLine($"waiting for approval: {string.Join(", ", waitingNow.Select(w => $"{w.Key} {w.Value}"))}");
            Console.WriteLine();

            for (var run = 1; run <= runs; run++)
            {
                Console.WriteLine($"## Run {run} of {runs} ({DateTime.UtcNow:HH:mm} UTC, load average {LoadAverage()})");
                Console.WriteLine();
                Console.WriteLine("| page | people at once | requests | status | p50 ms | p95 ms | max ms | mean ms |");
                Console.WriteLine("|---|---|---|---|---|---|---|---|");
                foreach (var page in pages)
                {
                    Console.WriteLine(await MeasureAsync(devhost.Port, page, people));
                }

                Console.WriteLine();
            }
        }
        finally
        {
            devhost.Process.Kill(entireProcessTree: true);
            await devhost.Process.WaitForExitAsync();
        }

        if (countSamples > 0)
        {
            await using var proxy = await CountingTableProxy.StartAsync(tablePort, state.Prefix);
            var counted = await DevhostAsync(state.Prefix, smtp.Configuration.Port, region,
                System.Text.RegularExpressions.Regex.Replace(storage, @"(TableEndpoint=http://127\.0\.0\.1:)\d+", "${1}" + proxy.Port));
            try
            {
                Console.WriteLine("## Table requests per request (one request at a time, through a counting proxy)");
                Console.WriteLine();
                Console.WriteLine("| page | requests | table requests per request | by table and method, per request |");
                Console.WriteLine("|---|---|---|---|");
                foreach (var page in pages.Where(p => p.Count != 0))
                {
                    Console.WriteLine(await CountAsync(counted.Port, page, people, proxy, page.Count ?? Math.Min(page.Samples, countSamples)));
                }
            }
            finally
            {
                counted.Process.Kill(entireProcessTree: true);
                await counted.Process.WaitForExitAsync();
            }
        }

        return 0;
    }

    private sealed record Devhost(Process Process, int Port, HttpClient Http);

    private static async Task<Devhost> DevhostAsync(string prefix, int smtpPort, GeneratedRegion region, string storage)
    {
        var port = BenchArgs.FreePort();
        var process = KivImportBenchmark.StartDevhost(port, prefix, smtpPort, region, storage);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(15) };
        await KivImportBenchmark.WaitForHealthAsync(http, process);
        return new Devhost(process, port, http);
    }

    /// <summary>
    /// Orders for the managers' reports, placed by an orderer (so each waits for the manager, R2) over POST /api/orders,
    /// a few at a time; then waits until each order's workflow has asked its manager (the approval index is filled).
    /// </summary>
    private static async Task PlaceOrdersAsync(HttpClient http, BenchPeople people, int waiting)
    {
        var clock = Stopwatch.StartNew();
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var orders = people.Managers.SelectMany(m => people.ReportsOf(m).Take(waiting)).ToList();
        var placed = 0;
        var refused = new Dictionary<int, int>();
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (report, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
            {
                Content = JsonContent.Create(new { identityId = report.HsaId, engagementId = report.EngagementId, level = "Standard", startDate = today, comment = "bench pages" }),
            };
            request.Headers.Add(CallerReader.PrincipalHeader, CallerReader.PrincipalFor(people.Orderers[0]));
            using var response = await http.SendAsync(request, token);
            lock (refused)
            {
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    placed++;
                }
                else
                {
                    refused[(int)response.StatusCode] = refused.GetValueOrDefault((int)response.StatusCode) + 1;
                }

                if ((placed + refused.Values.Sum()) % 100 == 0)
                {
                    Console.Error.WriteLine($"bench: {placed} orders placed in {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
        });
        Console.WriteLine($"orders placed: {placed} in {clock.Elapsed.TotalSeconds:F0} s" +
            (refused.Count == 0 ? "" : $", refused {string.Join(", ", refused.Select(r => $"{r.Value}×{r.Key}"))}"));

        // Each order's workflow asks its manager (the approval index and the email) as its first step.
        var expected = people.Managers.ToDictionary(m => m, m => Math.Min(waiting, people.ReportsOf(m).Count()));
        var last = -1;
        var still = Stopwatch.StartNew();
        while (true)
        {
            var now = await WaitingAsync(http, people);
            if (now.All(w => w.Value >= expected[w.Key]))
            {
                break;
            }

            var sum = now.Values.Sum();
            if (sum != last)
            {
                (last, still) = (sum, Stopwatch.StartNew());
                Console.Error.WriteLine($"bench: {sum} waiting for approval after {clock.Elapsed.TotalSeconds:F0} s");
            }
            else if (still.Elapsed > TimeSpan.FromMinutes(5))
            {
                Console.WriteLine($"waiting stood still at {sum} for 5 minutes; measuring with what there is");
                break;
            }

            await Task.Delay(5000);
        }

        Console.WriteLine($"approval index filled after {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task<Dictionary<string, int>> WaitingAsync(HttpClient http, BenchPeople people)
    {
        Dictionary<string, int> counts = [];
        foreach (var manager in people.Managers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me/approvals");
            request.Headers.Add(CallerReader.PrincipalHeader, CallerReader.PrincipalFor(manager));
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            counts[manager] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength();
        }

        return counts;
    }

    /// <summary>
    /// One page with <see cref="PageSpec.Users"/> people at once, each their own browser (cookies) asking again as soon as
    /// the page has come: a warm-up request each, then <see cref="PageSpec.Samples"/> requests shared between them.
    /// </summary>
    private static async Task<string> MeasureAsync(int port, PageSpec page, BenchPeople people)
    {
        var sessions = Enumerable.Range(0, page.Users).Select(i => new Session(port, people.For(page.Persona, i), page.Timeout)).ToList();
        try
        {
            var random = new Random(14);
            var warm = page.Warmup ? await Task.WhenAll(sessions.Select(s => s.GetAsync(people.Expand(page.Path, random)))) : [];
            if (warm.Length > 0 && warm.All(w => w.Status == warm[0].Status && w.Status is not 200 and not 0))
            {
                return $"| {page.Label} | {page.Users} | – | {warm[0].Status} for every request (not on this branch?) | – | – | – | – |";
            }

            var remaining = page.Samples;
            var results = new List<(int Status, double Ms)>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(sessions.Select(async session =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    string path;
                    lock (random)
                    {
                        path = people.Expand(page.Path, random);
                    }

                    var result = await session.GetAsync(path);
                    lock (results)
                    {
                        results.Add(result);
                    }
                }
            }));
            clock.Stop();
            var ms = results.Select(r => r.Ms).Order().ToArray();
            var statuses = string.Join(" ", results.GroupBy(r => r.Status).OrderBy(g => g.Key)
                .Select(g => g.Key == 0 ? $"{g.Count()}× timed out ({page.Timeout.TotalSeconds:F0} s)" : $"{g.Count()}×{g.Key}"));
            return $"| {page.Label} | {page.Users} | {results.Count} | {statuses} | {Percentile(ms, 50):F0} | {Percentile(ms, 95):F0} | {ms[^1]:F0} | {ms.Average():F0} |";
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static async Task<string> CountAsync(int port, PageSpec page, BenchPeople people, CountingTableProxy proxy, int samples)
    {
        using var session = new Session(port, people.For(page.Persona, 0), page.Timeout);
        var random = new Random(14);
        var warm = await session.GetAsync(people.Expand(page.Path, random));
        if (warm.Status != 200)
        {
            return $"| {page.Label} | – | {warm.Status} | – |";
        }

        var before = proxy.Snapshot();
        for (var i = 0; i < samples; i++)
        {
            await session.GetAsync(people.Expand(page.Path, random));
        }

        var after = proxy.Snapshot();
        var difference = after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key))).Where(kv => kv.Value > 0)
            .OrderByDescending(kv => kv.Value).ToList();
        var split = string.Join(", ", difference.Take(8).Select(d => $"{d.Key} {d.Value / (double)samples:0.#}"));
        return $"| {page.Label} | {samples} | {difference.Sum(d => d.Value) / (double)samples:0.#} | {split} |";
    }

    private static int TablePort(string connectionString) =>
        System.Text.RegularExpressions.Regex.Match(connectionString, @"TableEndpoint=http://127\.0\.0\.1:(\d+)") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new ArgumentException("--storage needs TableEndpoint=http://127.0.0.1:<port>/devstoreaccount1, to count table requests through a proxy.");

    private static double Percentile(double[] sorted, int percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string SolutionRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Behorighetsportal.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }

        return root;
    }

    /// <summary>One signed-in person's browser: their principal header on every request, their own cookies.</summary>
    private sealed class Session(int port, string hsaId, TimeSpan timeout) : IDisposable
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = timeout,
            DefaultRequestHeaders = { { CallerReader.PrincipalHeader, CallerReader.PrincipalFor(hsaId) } },
        };

        public async Task<(int Status, double Ms)> GetAsync(string path)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await _http.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                return ((int)response.StatusCode, clock.Elapsed.TotalMilliseconds);
            }
            catch (TaskCanceledException)
            {
                // A timeout counts as one, at the time waited.
                return (0, clock.Elapsed.TotalMilliseconds);
            }
        }

        public void Dispose() => _http.Dispose();
    }
}

/// <summary>
/// The generated people the benchmark signs in as: managers of wards in the first administration, and orderers in the
/// same administration (on wards of other managers, so none orders for herself), each with a whole-administration role.
/// </summary>
internal sealed class BenchPeople
{
    private readonly GeneratedRegion _region;
    private readonly List<(string HsaId, string EngagementId, string? Manager, bool Active, bool Protected, int Number)> _engagements;
    private readonly List<int> _adminPeople;

    public BenchPeople(GeneratedRegion region, int managers, int orderers)
    {
        _region = region;
        var units = region.OrgUnits.Select(RegionLoader.ToOrgUnit).ToList();
        Administration = units[0].Administration;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var identities = region.Identities.Select(RegionLoader.ToIdentity).ToDictionary(i => i.HsaId);
        var wards = units.Where(u => u.Administration == Administration && !units.Any(c => c.ParentId == u.Id)).Select(u => u.Id).ToHashSet();
        var engagements = region.Engagements.Select(RegionLoader.ToEngagement).ToList();
        _engagements = engagements.Select(e => (e.HsaId, e.EngagementId, e.ManagerHsaId, Active: !e.HasEndedBy(today) && e.StartDate <= today,
            identities[e.HsaId].Protected, Number: int.Parse(e.HsaId[^12..], CultureInfo.InvariantCulture))).ToList();
        var wardManagers = engagements.Where(e => wards.Contains(e.OrgUnitId) && e.ManagerHsaId is null).Select(e => e.HsaId).Distinct().ToList();
        if (managers > wardManagers.Count)
        {
            throw new ArgumentException($"The first administration has {wardManagers.Count} ward managers; ask for at most that many --managers.");
        }

        Managers = wardManagers.Take(managers).ToList();
        var managed = Managers.ToHashSet();

        // Orderers: in the administration, working now, visible, under a manager the benchmark does not use.
        var candidates = engagements
            .Where(e => wards.Contains(e.OrgUnitId) && e.ManagerHsaId is { } m && !managed.Contains(m) && !identities[e.HsaId].Protected
                && e.StartDate <= today && e.EndDate is null)
            .Select(e => e.HsaId).Distinct().Where(h => engagements.Count(e => e.HsaId == h) == 1).Take(orderers).ToList();
        Orderers = candidates;
        _adminPeople = engagements.Where(e => wards.Contains(e.OrgUnitId)).Select(e => int.Parse(e.HsaId[^12..], CultureInfo.InvariantCulture)).Distinct().ToList();
    }

    public string Administration { get; }

    public IReadOnlyList<string> Managers { get; }

    public IReadOnlyList<string> Orderers { get; }

    /// <summary>The engagements an order may be placed for under this manager: working now, the person visible to the orderer.</summary>
    public IEnumerable<(string HsaId, string EngagementId)> ReportsOf(string manager) =>
        _engagements.Where(e => e.Manager == manager && e.Active && !e.Protected && !Orderers.Contains(e.HsaId)).Select(e => (e.HsaId, e.EngagementId));

    public string For(Persona persona, int session) => persona switch
    {
        Persona.Orderer => Orderers[session % Orderers.Count],
        _ => Managers[session % Managers.Count],
    };

    /// <summary>The path with <c>{name}</c> as a person of the administration would be searched for: the first letters of a given name.</summary>
    public string Expand(string path, Random random)
    {
        if (!path.Contains("{name}", StringComparison.Ordinal))
        {
            return path;
        }

        var number = _adminPeople[random.Next(_adminPeople.Count)].ToString(CultureInfo.InvariantCulture);
        return path.Replace("{name}", Uri.EscapeDataString("Person" + number[..Math.Min(4, number.Length)]), StringComparison.Ordinal);
    }

    public override string ToString() => $"{_region.Identities.Length} identities";
}
