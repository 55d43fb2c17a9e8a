using System.Net;
using System.Net.Sockets;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Behorighetsportal.DevHost.Durable;

/// <summary>
/// Serves a DurableTask.Core backend over the Durable Task gRPC protocol on loopback, so that the
/// Microsoft.DurableTask worker and client (the same SDK the Functions app uses) can run against it in-process.
/// </summary>
/// <remarks>
/// The sidecar is <see cref="TaskHubGrpcServer"/> from Microsoft.DurableTask.InProcessTestHost. It runs in a
/// host of its own because it starts its dispatchers from that host's ApplicationStarted event, once the first
/// worker has connected; that is also when it starts the backend. Disposing stops the backend again, but does
/// not dispose it: the backend stays the caller's.
/// </remarks>
public sealed class DurableSidecar : IAsyncDisposable
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    readonly WebApplication app;
    readonly StopOnceOrchestrationService service;
    int disposed;

    DurableSidecar(WebApplication app, StopOnceOrchestrationService service, TaskHubGrpcServer server, IPEndPoint endPoint)
    {
        this.app = app;
        this.service = service;
        this.Server = server;
        this.EndPoint = endPoint;
        this.Address = new Uri($"http://{endPoint}");
        this.Channel = CreateChannel(() => endPoint);
    }

    /// <summary>The loopback endpoint the sidecar listens on.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The sidecar's base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri Address { get; }

    /// <summary>A channel to the sidecar, owned (and disposed) by it.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The gRPC service the sidecar serves, for calls from this process (<see cref="InProcessCallInvoker"/>).</summary>
    internal TaskHubGrpcServer Server { get; }

    /// <summary>
    /// Creates the backend's storage if needed and starts serving it on loopback.
    /// </summary>
    /// <param name="service">The backend the dispatchers fetch work from.</param>
    /// <param name="client">The backend's client side, used for start, raise-event, query and the like. Usually the same object as <paramref name="service"/>.</param>
    /// <param name="port">A port to listen on; null binds port 0 so the OS picks a free one.</param>
    /// <param name="loggerFactory">Where the sidecar logs; ASP.NET Core's per-request chatter is held back to warnings.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<DurableSidecar> StartAsync(
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        int? port = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(client);
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "Expected a TCP port number, or null for any free port.");
        }

        // Creating storage here rather than on the first worker connection makes a bad connection string fail start-up.
        await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken);

        var stopOnce = new StopOnceOrchestrationService(service);

        // An empty builder: the sidecar must not pick up the app's configuration (URLs, appsettings, environment).
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port ?? 0, listen => listen.Protocols = HttpProtocols.Http2);

            // Every running work item holds a stream for its completion call, and every client waiting for an
            // instance holds one too; Kestrel's default of 100 per connection would queue them.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Services.AddSingleton<ILoggerFactory>(new QuietAspNetCoreLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddRouting();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(stopOnce);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<TaskHubGrpcServer, SidecarService>();

        // Built on a thread-pool thread without the caller's execution context. Under WebApplicationFactory
        // (tests) the caller runs on the thread of Program.Main, whose AsyncLocal marks every host built there
        // as the app under test for as long as the factory still listens — a race the factory's own thread
        // loses under load (tests in parallel). It would then configure this sidecar as well: a TestServer
        // instead of Kestrel, so no port, and start-up fails.
        Task<WebApplication> building;
        using (ExecutionContext.SuppressFlow())
        {
            building = Task.Run(builder.Build, cancellationToken);
        }

        WebApplication app = await building;
        try
        {
            // Resolved before start so that its ApplicationStarted hook, which starts the dispatchers, is in place.
            TaskHubGrpcServer server = app.Services.GetRequiredService<TaskHubGrpcServer>();
            app.MapGrpcService<TaskHubGrpcServer>();
            await app.StartAsync(cancellationToken);

            IPEndPoint endPoint = BoundEndPoint(app);
            return new DurableSidecar(app, stopOnce, server, endPoint);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    static IPEndPoint BoundEndPoint(WebApplication app)
    {
        // Kestrel reports the port it actually bound, which matters when we asked for port 0.
        string address = app.Urls.Single();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Loopback, uri.Port);
    }

    /// <summary>
    /// A channel to a sidecar whose endpoint is looked up on every new connection, so it can be handed to a
    /// worker or client before the sidecar has started (and has a port).
    /// </summary>
    internal static GrpcChannel CreateChannel(Func<IPEndPoint?> endPoint)
    {
        var handler = new SocketsHttpHandler
        {
            // Long-polling waits and many concurrent completions can exceed one connection's stream limit.
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, cancellationToken) =>
            {
                IPEndPoint target = endPoint() ?? throw new HttpRequestException("The durable sidecar has not started yet.");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(target, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        // The host part is only used for the :authority header; the connect callback decides where to go.
        return GrpcChannel.ForAddress("http://127.0.0.1", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await this.app.StopAsync();
        }
        finally
        {
            await this.service.StopOnceAsync();
            await this.app.DisposeAsync();
            this.Channel.Dispose();
        }
    }

    /// <summary>
    /// Forwards to the app's logger factory but keeps ASP.NET Core at warnings and above: the sidecar
    /// serves a request per work item, and request logging would drown the app's own logs.
    /// </summary>
    sealed class QuietAspNetCoreLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
        {
            ILogger logger = inner.CreateLogger(categoryName);
            return categoryName.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                || categoryName.StartsWith("Microsoft.Hosting", StringComparison.Ordinal)
                ? new MinimumLevelLogger(logger, LogLevel.Warning)
                : logger;
        }

        // The app owns the wrapped factory's providers.
        public void AddProvider(ILoggerProvider provider) =>
            throw new NotSupportedException("Add logger providers to the application's logger factory.");

        public void Dispose()
        {
            // The wrapped factory belongs to the app and outlives the sidecar.
        }
    }

    sealed class MinimumLevelLogger(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (this.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
