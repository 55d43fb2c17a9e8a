using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>
/// An Azurite of one test's own: the repository's pinned Azurite (node_modules), on free loopback ports, with its data
/// in a temporary folder. Unlike the shared one (<see cref="Azurite"/>) it may be killed, so a test can take storage
/// away from a running devhost. Disposing kills it and deletes its data.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, the same for every Azurite).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _folder;

    private AzuriteProcess(Process process, string folder, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _folder = folder;
        TablePort = tablePort;
        ConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;");
    }

    /// <summary>A full connection string (account, key and the three endpoints on this Azurite's ports).</summary>
    public string ConnectionString { get; }

    public int TablePort { get; }

    public bool Running => !_process.HasExited;

    /// <summary>Starts Azurite and waits until its table port answers.</summary>
    public static async Task<AzuriteProcess> StartAsync()
    {
        var root = RepositoryRoot.Find();
        var azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new FileNotFoundException("Azurite is not installed: run npm ci in the repository (scripts/test.sh does).", azurite);
        }

        var folder = System.IO.Directory.CreateTempSubdirectory("behorighetsportal-own-azurite.").FullName;
        var (blob, queue, table) = (SmtpInbox.FreePort(), SmtpInbox.FreePort(), SmtpInbox.FreePort());
        var info = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--loose", "--location", folder,
                     "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start: " + azurite);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var own = new AzuriteProcess(process, folder, blob, queue, table);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!Answers(table) || !Answers(queue) || !Answers(blob))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await own.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not answer on 127.0.0.1:{blob}/{queue}/{table} within {StartTimeout.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }

        return own;
    }

    /// <summary>Kills Azurite at once (and the node process under its launcher), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
            try
            {
                System.IO.Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary folder left behind harms nothing.
            }
        }
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
