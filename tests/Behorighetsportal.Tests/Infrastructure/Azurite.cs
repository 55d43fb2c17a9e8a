using System.Diagnostics;
using System.Net.Sockets;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>
/// Azurite on its default loopback ports. .ci/run starts it; when a developer runs the tests without it, the
/// first test starts it with scripts/azurite.sh. Each test gets its own table/queue prefix and task hub, so
/// tests share one Azurite without seeing each other.
/// </summary>
public static class Azurite
{
    public const string ConnectionString = "UseDevelopmentStorage=true";
    private static readonly Lazy<bool> Started = new(Start);

    public static void EnsureRunning()
    {
        if (!Started.Value)
        {
            throw new InvalidOperationException("Azurite is not running on 127.0.0.1:10000-10002 and could not be started (scripts/azurite.sh).");
        }
    }

    /// <summary>A fresh name prefix: letters and digits, starting with a letter (table and task hub rules).</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    private static bool Start()
    {
        if (Answers(10002))
        {
            return true;
        }

        var root = RepositoryRoot.Find();
        using var process = Process.Start(new ProcessStartInfo("bash", $"\"{Path.Combine(root, "scripts", "azurite.sh")}\" \"{Path.Combine(root, ".azurite")}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.WaitForExit(120_000);
        return Answers(10002);
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

public static class RepositoryRoot
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Behorighetsportal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Behorighetsportal.sln not found above " + AppContext.BaseDirectory);
    }
}
