using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Bench.Pages;

/// <summary>
/// A pass-through between the devhost and Azurite's table endpoint that counts every request it forwards, by table and
/// method — what the devhost's own <c>storage.transactions</c> counter counts, seen from outside its process (the devhost
/// exports that counter nowhere a benchmark can read). A <c>$batch</c> is one request, as Azure bills it. Used for a
/// pass of its own, one request at a time, so the extra hop does not sit inside the latencies measured without it.
/// </summary>
internal sealed class CountingTableProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly string _prefix;

    private CountingTableProxy(WebApplication app, HttpClient client, string prefix, int port)
    {
        (_app, _client, _prefix, Port) = (app, client, prefix, port);
    }

    public int Port { get; }

    public static async Task<CountingTableProxy> StartAsync(int azuriteTablePort, string prefix)
    {
        var port = BenchArgs.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{azuriteTablePort}"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        var proxy = new CountingTableProxy(app, client, prefix, port);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        _counts.AddOrUpdate($"{Resource(request.Path.Value ?? "")} {Kind(request)}", 1, (_, n) => n + 1);

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Value + request.QueryString.Value);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var answer = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// The method, with a GET told apart as a point read (by partition and row key: the one read Azurite answers from
    /// its index) or a query (which Azurite answers by scanning the whole table).
    /// </summary>
    private static string Kind(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) ? request.Method
        : (request.Path.Value ?? "").Contains("(PartitionKey=", StringComparison.Ordinal) ? "point read"
        : "query";

    /// <summary>The table a request is for, without the run's prefix (as the devhost's own counter names it).</summary>
    private string Resource(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 1 && segments[0] == "devstoreaccount1" ? segments[1] : segments.FirstOrDefault() ?? "";
        var name = first.Split('(', '?')[0];
        return name.StartsWith("Tables", StringComparison.Ordinal) ? "Tables"
            : name.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase) ? name[_prefix.Length..]
            : name;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
