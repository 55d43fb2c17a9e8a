using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Behorighetsportal.DevHost.Durable;
using DurableTask.AzureStorage;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>How a stop asked for with SIGTERM went: whether the process exited by itself, after how long, with what code.</summary>
public sealed record DevHostStop(bool Exited, TimeSpan Elapsed, int? ExitCode);

/// <summary>
/// The devhost as a separate OS process (<c>dotnet Behorighetsportal.DevHost.dll</c>), on a loopback port of its
/// own, with its durable state on Azurite under a task hub and table/queue prefix of this instance's own. It can
/// be killed hard (<see cref="KillAsync"/>) and started again on the same port with the same settings, so the
/// new process finds the durable state the old one left. Everything the process writes to stdout and stderr is
/// kept for failure messages (<see cref="Output"/>). Disposing kills the process and deletes the prefixed
/// tables, queues and task hub.
/// </summary>
public sealed class DevHostProcess : IAsyncDisposable
{
    /// <summary>How long a start may take until GET /api/health answers 200.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private const int MaxOutputLines = 2000;

    private readonly Dictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _dll;
    private readonly bool _ownsStorage;
    private Process? _process;
    private SocketsHttpHandler _handler = NewHandler();
    private int _starts;
    private bool _disposed;

    /// <param name="inbox">The SMTP server the devhost sends its emails to.</param>
    /// <param name="settings">Extra settings (configuration keys with ':' or '__'), added to or replacing the defaults.</param>
    /// <param name="storage">
    /// A storage connection of the test's own (an <see cref="AzuriteProcess"/>) instead of the shared Azurite; its owner
    /// discards it, so disposing this devhost leaves it alone.
    /// </param>
    public DevHostProcess(SmtpInbox inbox, IDictionary<string, string>? settings = null, string? storage = null)
    {
        if (storage is null)
        {
            Azurite.EnsureRunning();
        }

        StorageConnectionString = storage ?? Azurite.ConnectionString;
        _ownsStorage = storage is null;
        Prefix = Azurite.NewPrefix();
        Port = SmtpInbox.FreePort();
        BaseUrl = $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";
        _dll = DevHostDll();
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = BaseUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = StorageConnectionString,
            ["Storage__NamePrefix"] = Prefix,
            ["Durable__Backend"] = "AzureStorage",
            ["Durable__TaskHub"] = Prefix,
            ["Email__SmtpHost"] = "127.0.0.1",
            ["Email__SmtpPort"] = inbox.Port.ToString(CultureInfo.InvariantCulture),
            ["Portal__BaseUrl"] = BaseUrl,
            ["Links__SigningKey"] = Demo.SigningKey,
            ["Integration__KivKey"] = Demo.KivKey,
            ["Integration__MarknadsplatsenKey"] = Demo.MarknadsplatsenKey,
            ["Demo__Seed"] = "true",

            // Plain, one line per entry, so the captured output reads well in a failure message.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    /// <summary>The storage the devhost runs on (AzureWebJobsStorage).</summary>
    public string StorageConnectionString { get; }

    /// <summary>The prefix of this devhost's tables and queues, and its task hub name.</summary>
    public string Prefix { get; }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:{Port}</c>, also the devhost's <c>Portal:BaseUrl</c> (the base of links in emails).</summary>
    public string BaseUrl { get; }

    /// <summary>The running process's id, or null when none runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Everything the process (every start of it) wrote to stdout and stderr, oldest first.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The Azurite queue the devhost sends provisioning messages to (Base64 encoded, as the product sends them).</summary>
    public QueueClient ProvisioningQueue => new(StorageConnectionString, (Prefix + Behorighetsportal.Storage.QueueNames.Provisioning).ToLowerInvariant(),
        new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The durable task hub's instance table (one row per orchestration instance, PK = instance id).</summary>
    public TableClient DurableInstances => new(StorageConnectionString, Prefix + "Instances");

    /// <summary>The durable task hub's history table (PK = instance id, one row per history event).</summary>
    public TableClient DurableHistory => new(StorageConnectionString, Prefix + "History");

    /// <summary>The durable task hub's partition leases (one row per control queue, <c>CurrentOwner</c> empty once released).</summary>
    public TableClient DurablePartitions => new(StorageConnectionString, Prefix + "Partitions");

    /// <summary>
    /// The devhost build output for the configuration the tests were built in (devhost/bin/&lt;configuration&gt;/net10.0).
    /// </summary>
    public static string DevHostDll()
    {
        var root = RepositoryRoot.Find();
        var configuration = TestConfiguration();
        var dll = Path.Combine(root, "devhost", "bin", configuration, "net10.0", "Behorighetsportal.DevHost.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException(
                $"The devhost is not built for {configuration}: {dll} is missing. Build tests/Behorighetsportal.Tests (it references the devhost).", dll);
        }

        return dll;
    }

    /// <summary>
    /// Changes a setting (a configuration key with ':' or '__') for the next start, or removes it (null): a restart with
    /// other settings, as after a deployment that changed them.
    /// </summary>
    public void Set(string key, string? value)
    {
        key = key.Replace(":", "__", StringComparison.Ordinal);
        if (value is null)
        {
            _environment.Remove(key);
        }
        else
        {
            _environment[key] = value;
        }
    }

    /// <summary>Starts the devhost (again, after <see cref="KillAsync"/>: same port, prefix and task hub) and waits until it is healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"The devhost already runs (pid {_process.Id}).");
        }

        _process?.Dispose();
        var start = ++_starts;
        Note($"==> start #{start}: dotnet {_dll} on {BaseUrl}, task hub and prefix {Prefix}");
        var info = new ProcessStartInfo(DotNet())
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(_dll);

        // Settings the test process may carry that would steer the devhost elsewhere.
        foreach (var inherited in info.Environment.Keys.Where(IsSteering).ToList())
        {
            info.Environment.Remove(inherited);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Capture(start, "out", e.Data);
        process.ErrorDataReceived += (_, e) => Capture(start, "err", e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet did not start: " + _dll);
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        await WaitUntilHealthyAsync(process, cancellationToken);
        Note($"==> start #{start}: healthy after {clock.ElapsedMilliseconds} ms (pid {process.Id})");
    }

    /// <summary>Kills the process and its children at once — no graceful stop, as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            Note($"==> kill pid {process.Id}");
            process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Note($"==> exited with {process.ExitCode}");

        // Pooled connections went to the dead process; the next start gets fresh ones.
        var old = _handler;
        _handler = NewHandler();
        old.Dispose();
    }

    /// <summary>
    /// Asks the process to stop as a service manager or Ctrl+C would (SIGTERM) and waits for it to exit, at most
    /// <paramref name="limit"/>; a process still running then is killed, and the result says it did not exit by itself.
    /// </summary>
    public async Task<DevHostStop> TerminateAsync(TimeSpan limit)
    {
        var process = _process ?? throw new InvalidOperationException("The devhost was never started.");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The devhost (pid {process.Id}) has already exited with {process.ExitCode}.");
        }

        Note($"==> SIGTERM pid {process.Id}");
        var clock = Stopwatch.StartNew();
        using (var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) } })!)
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Note($"==> still running {clock.ElapsedMilliseconds} ms after SIGTERM; killed");
            await KillAsync();
            return new DevHostStop(false, clock.Elapsed, null);
        }

        Note($"==> exited with {process.ExitCode} {clock.ElapsedMilliseconds} ms after SIGTERM");
        var old = _handler;
        _handler = NewHandler();
        old.Dispose();
        return new DevHostStop(true, clock.Elapsed, process.ExitCode);
    }

    /// <summary>An HTTP client that calls as this person (X-MS-CLIENT-PRINCIPAL), or anonymously for null. No redirects.</summary>
    public HttpClient As(string? hsaId)
    {
        var client = NewClient();
        if (hsaId is not null)
        {
            client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL", Demo.Principal(hsaId));
        }

        return client;
    }

    /// <summary>An HTTP client for KiV, with its key.</summary>
    public HttpClient AsKiv() => AsIntegration(Demo.KivKey);

    /// <summary>An HTTP client for Marknadsplatsen, with its key.</summary>
    public HttpClient AsMarknadsplatsen() => AsIntegration(Demo.MarknadsplatsenKey);

    /// <summary>An HTTP client for a system caller sending this x-functions-key (a wrong one, or none for null).</summary>
    public HttpClient AsIntegration(string? key)
    {
        var client = NewClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return client;
    }

    /// <summary>The last lines of the output, for a failure message.</summary>
    public string OutputTail(int lines = 150)
    {
        var all = _output.ToArray();
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await KillAsync();
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
            _process?.Dispose();
            _handler.Dispose();
            if (_ownsStorage)
            {
                await DeleteStorageAsync();
            }
        }
    }

    private async Task WaitUntilHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        string last = "no answer yet";
        using var client = NewClient();
        client.Timeout = TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                // Let the output readers drain before reporting.
                await process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException(
                    $"The devhost exited with code {process.ExitCode} before it was healthy ({BaseUrl}).\n{OutputTail()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUrl + "/api/health"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e.Message;
            }

            await Task.Delay(150, cancellationToken);
        }

        throw new TimeoutException(
            $"The devhost did not answer GET /api/health with 200 within {StartTimeout.TotalSeconds} s ({BaseUrl}); last: {last}.\n{OutputTail()}");
    }

    /// <summary>A test run that ends without disposing (a crash, a cancelled run) leaves no devhost behind.</summary>
    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            if (_process is { HasExited: false } running)
            {
                running.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private HttpClient NewClient() => new(_handler, disposeHandler: false)
    {
        BaseAddress = new Uri(BaseUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static SocketsHttpHandler NewHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    };

    private void Capture(int start, string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue($"[{start}:{stream}] {line}");
        while (_output.Count > MaxOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private void Note(string line) => _output.Enqueue($"[test] {DateTime.UtcNow:HH:mm:ss.fff} {line}");

    private static bool IsSteering(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Durable__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Email__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Portal__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Links__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Integration__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Workflow__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Demo__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Auth__", StringComparison.OrdinalIgnoreCase)
        || key.Equals("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase)
        || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);

    /// <summary>The dotnet host the tests run under (set by the SDK), else the one on PATH.</summary>
    private static string DotNet()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? current
            : "dotnet";
    }

    /// <summary>Debug or Release: the folder above net10.0 in this test assembly's output path.</summary>
    private static string TestConfiguration()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name;
        if (configuration is not null && framework.Parent?.Parent?.Name == "bin")
        {
            return configuration;
        }
#if DEBUG
        return "Debug";
#else
        return "Release";
#endif
    }

    private async Task DeleteStorageAsync()
    {
        try
        {
            using var hub = new AzureStorageOrchestrationService(AzureStorageBackend.CreateSettings(new DurableEngineOptions
            {
                Backend = DurableBackend.AzureStorage,
                ConnectionString = Azurite.ConnectionString,
                TaskHubName = Prefix,
            }));
            await hub.DeleteAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: a left-over task hub on Azurite harms no other test (each has its own).
        }

        try
        {
            var tables = new TableServiceClient(Azurite.ConnectionString);
            await foreach (var table in tables.QueryAsync(filter: $"TableName ge '{Prefix}' and TableName lt '{Prefix}~'"))
            {
                if (table.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    await tables.DeleteTableAsync(table.Name);
                }
            }

            var queues = new QueueServiceClient(Azurite.ConnectionString);
            await foreach (var queue in queues.GetQueuesAsync(prefix: Prefix.ToLowerInvariant()))
            {
                await queues.DeleteQueueAsync(queue.Name);
            }
        }
        catch (Azure.RequestFailedException)
        {
            // Best effort, as above.
        }
    }
}
