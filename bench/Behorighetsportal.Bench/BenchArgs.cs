using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Behorighetsportal.Bench;

/// <summary>What every benchmark reads from its command line, and a free loopback port for its servers.</summary>
internal static class BenchArgs
{
    public static string? Text(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static int? Number(string[] args, string name) =>
        Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
