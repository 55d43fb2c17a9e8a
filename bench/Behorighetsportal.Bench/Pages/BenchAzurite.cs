using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Behorighetsportal.Bench.Pages;

/// <summary>
/// An Azurite of the benchmark's own, on free loopback ports, with its data in a folder that may outlive the run (so a
/// loaded region is loaded once): others' Azurite on 10000–10002 and their tests do not share its tables or its thread.
/// </summary>
internal sealed class BenchAzurite : IDisposable
{
    // Azurite's well-known development account key (public; the same in every Azurite).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private BenchAzurite(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        (BlobPort, QueuePort, TablePort) = (blobPort, queuePort, tablePort);
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public int ProcessId => _process.Id;

    /// <summary>The connection string, with the table endpoint at <paramref name="tablePort"/> (a counting proxy's) when given.</summary>
    public string ConnectionString(int? tablePort = null) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{tablePort ?? TablePort}/devstoreaccount1;";

    public static async Task<BenchAzurite> StartAsync(string root, string dataFolder)
    {
        System.IO.Directory.CreateDirectory(dataFolder);
        var azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"{azurite} is missing: run npm ci in {root}.");
        }

        var (blob, queue, table) = (BenchArgs.FreePort(), BenchArgs.FreePort(), BenchArgs.FreePort());
        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--location", dataFolder,
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", blob.ToString(CultureInfo.InvariantCulture), "--queuePort", queue.ToString(CultureInfo.InvariantCulture),
                     "--tablePort", table.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("azurite: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new BenchAzurite(process, blob, queue, table);

        // A big table file takes a while to load: the table port answers once it has.
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("Azurite exited during start.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", table);
                return started;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        started.Dispose();
        throw new TimeoutException("Azurite did not open its table port within two minutes.");
    }

    /// <summary>Stops Azurite with SIGINT, so that it writes its tables to disk before it exits (its autosave runs every 5 s).</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                interrupt.WaitForExit();
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
