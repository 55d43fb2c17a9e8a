using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Behorighetsportal.Http;
using Behorighetsportal.Storage;
using netDumbster.smtp;

namespace Behorighetsportal.Bench;

/// <summary>
/// Imports a generated region through POST /api/kiv/import into the devhost — a process of its own on Azurite, as
/// an operator runs it — with the region's assignment policies in place, and prints identities per second, wall
/// time and the devhost's peak memory. Azurite must answer on its default ports (scripts/azurite.sh), or
/// <c>--storage</c> names another account by connection string (e.g. a fresh Azurite of its own on other ports,
/// so that tests others run at the same time on the default one do not share its CPU).
/// </summary>
public static class KivImportBenchmark
{
    /// <summary>KiV's key: the benchmark imports as KiV.</summary>
    internal const string Key = "bench-kiv-key";

    public static async Task<int> RunAsync(string[] args)
    {
        var identities = BenchArgs.Number(args, "--identities") ?? 55_000;
        var units = BenchArgs.Number(args, "--units") ?? 400;
        var storage = BenchArgs.Text(args, "--storage") ?? "UseDevelopmentStorage=true";

        // Without the region's policies the run measures the directory import alone, without the policy orders (a
        // quarter of the engagements match a policy; those that have started are activated during the import).
        var withPolicies = !args.Contains("--no-policies");
        var region = GeneratedRegion.Create(identities, units);
        using var smtp = SimpleSmtpServer.Start(BenchArgs.FreePort());
        var port = BenchArgs.FreePort();
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        using var devhost = StartDevhost(port, prefix, smtp.Configuration.Port, region, storage);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        await WaitForHealthAsync(http, devhost);
        http.DefaultRequestHeaders.Add("x-functions-key", Key);

        // The tree and the policy administrator first, then the policies, so the big batch meets them.
        var setup = new { orgUnits = region.OrgUnits, identities = region.Identities.Take(1), engagements = region.Engagements.Take(1) };
        await ImportAsync(http, setup);
        using (var admin = new HttpClient { BaseAddress = http.BaseAddress })
        {
            admin.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL", CallerReader.PrincipalFor(region.AdminHsaId));
            foreach (var policy in withPolicies ? region.Policies : Array.Empty<object>())
            {
                var id = JsonSerializer.SerializeToElement(policy).GetProperty("policyId").GetString();
                (await admin.PutAsJsonAsync($"/api/policies/{id}", policy)).EnsureSuccessStatusCode();
            }
        }

        using var importing = new CancellationTokenSource();
        var connector = PlayAdConnectorAsync(new QueueClient(storage, (prefix + QueueNames.Provisioning).ToLowerInvariant()), importing.Token);
        var cpuBefore = devhost.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var progress = await ImportAsync(http, new { identities = region.Identities, engagements = region.Engagements });
        clock.Stop();
        await importing.CancelAsync();
        var provisioningMessages = await connector;
        devhost.Refresh();
        var peakMb = PeakWorkingSetMb(devhost);
        var result = new
        {
            identities,
            engagements = region.Engagements.Length,
            policies = withPolicies,
            wallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            identitiesPerSecond = Math.Round(identities / clock.Elapsed.TotalSeconds, 1),
            changedRows = progress.GetProperty("changed").GetInt32(),
            policyAssignments = progress.GetProperty("policyChanges").GetInt32(),
            // Policy orders that had started are active by the time the import is complete, their managers told (R6).
            passwordEmails = smtp.ReceivedEmailCount,
            provisioningMessages,
            devhostCpuSeconds = Math.Round((devhost.TotalProcessorTime - cpuBefore).TotalSeconds, 1),
            devhostPeakWorkingSetMb = peakMb,
        };
        if (args.Contains("--json"))
        {
            Console.WriteLine(JsonSerializer.Serialize(result));
        }
        else
        {
            foreach (var property in result.GetType().GetProperties())
            {
                Console.WriteLine($"{property.Name,-26} {Convert.ToString(property.GetValue(result), CultureInfo.InvariantCulture)}");
            }
        }

        devhost.Kill(entireProcessTree: true);
        return 0;
    }

    /// <summary>
    /// Plays the AD connector: takes provisioning messages off the queue as they come, as the real one does, and counts
    /// them. Left to pile up they would cost the Storage Emulator more on every queue read of the durable engine (it
    /// keeps every queue's messages in one list and re-sorts it on each read), which no production queue does.
    /// After the import, takes what is left.
    /// </summary>
    internal static async Task<int> PlayAdConnectorAsync(QueueClient queue, CancellationToken importing)
    {
        var received = 0;
        while (true)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(32, cancellationToken: CancellationToken.None)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                messages = [];
            }

            foreach (var message in messages)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                received++;
            }

            if (messages.Length == 0)
            {
                if (importing.IsCancellationRequested)
                {
                    return received;
                }

                await Task.Delay(500, CancellationToken.None);
            }
        }
    }

    internal static async Task<JsonElement> ImportAsync(HttpClient http, object batch)
    {
        var response = await http.PostAsJsonAsync("/api/kiv/import", batch);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Import refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var location = response.Headers.Location!.ToString();
        while (true)
        {
            var progress = await http.GetFromJsonAsync<JsonElement>(location);
            var status = progress.GetProperty("status").GetString();
            if (status is "Completed" or "Failed")
            {
                return progress;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The Release (or Debug, as this benchmark was built) devhost as a process of its own, under <paramref name="prefix"/>
    /// on <paramref name="storage"/>; <paramref name="settings"/> add to or override its environment.
    /// </summary>
    internal static Process StartDevhost(int port, string prefix, int smtpPort, GeneratedRegion region, string storage,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Behorighetsportal.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }

        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(root, "devhost", "bin", configuration, "net10.0", "Behorighetsportal.DevHost.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\"") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["AzureWebJobsStorage"] = storage,
            ["Storage__NamePrefix"] = prefix,
            ["Durable__Backend"] = "AzureStorage",
            ["Durable__TaskHub"] = prefix,
            ["Demo__Seed"] = "false",
            ["Email__SmtpPort"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Links__SigningKey"] = "bench-signing-key-0123456789abcdef0123456789",
            ["Integration__KivKey"] = Key,
            ["Integration__MarknadsplatsenKey"] = "bench-marknadsplatsen-key",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var administration in region.Policies.Select(p => JsonSerializer.SerializeToElement(p).GetProperty("administration").GetString()))
        {
            environment[$"Policies__Administrators__{administration}"] = region.AdminHsaId;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("devhost: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitForHealthAsync(HttpClient http, Process devhost)
    {
        for (var attempt = 0; attempt < 240; attempt++)
        {
            if (devhost.HasExited)
            {
                throw new InvalidOperationException("The devhost exited during start.");
            }

            try
            {
                if ((await http.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The devhost did not answer /api/health within a minute.");
    }

    /// <summary>The process's high-water mark of resident memory (VmHWM), which the kernel keeps for us.</summary>
    internal static double PeakWorkingSetMb(Process process)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? Math.Round(process.PeakWorkingSet64 / 1048576.0, 1)
            : Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }
}
