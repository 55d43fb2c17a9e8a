using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Behorighetsportal.DevHost.Durable;
using DurableTask.AzureStorage;
using IOrchestrationService = DurableTask.Core.IOrchestrationService;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Behorighetsportal.Tests.Durable;

/// <summary>
/// The durable engine on both backends. The Azure Storage tests need Azurite on 127.0.0.1:10000-10002
/// (scripts/azurite.sh) and use a task hub of their own, deleted afterwards.
/// </summary>
public sealed class DurableEngineTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Azurite's well-known development account, spelled out as a deployed app's setting would be.
    const string ExplicitAzurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;" +
        "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    readonly List<DurableEngineOptions> taskHubsToDelete = [];

    [Theory]
    [InlineData(DurableBackend.InMemory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Event_that_beats_the_timer_decides_the_outcome(DurableBackend backend)
    {
        await using TestHost host = await this.StartAsync(this.Options(backend));
        DurableTaskClient client = host.Client;

        string id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), new ApprovalRequest("Anna", TimeoutSeconds: 60));
        await WaitForCustomStatusAsync(client, id, "waiting");

        var sw = Stopwatch.StartNew();
        await client.RaiseEventAsync(id, ApprovalOrchestrator.DecisionEvent, "approved");
        OrchestrationMetadata done = await WaitForCompletionAsync(client, id);
        output.WriteLine($"{backend}: event to completion {sw.ElapsedMilliseconds} ms");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("Hej Anna", "approved", TimedOut: false), done.ReadOutputAs<ApprovalOutcome>());
        Assert.Equal("decided", done.ReadCustomStatusAs<string>());
    }

    [Theory]
    [InlineData(DurableBackend.InMemory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Timer_that_beats_the_event_decides_the_outcome(DurableBackend backend)
    {
        await using TestHost host = await this.StartAsync(this.Options(backend));

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), new ApprovalRequest("Bo", TimeoutSeconds: 1));
        OrchestrationMetadata done = await WaitForCompletionAsync(host.Client, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("Hej Bo", Decision: null, TimedOut: true), done.ReadOutputAs<ApprovalOutcome>());
        Assert.Equal("timed out", done.ReadCustomStatusAs<string>());
    }

    [Theory]
    [InlineData(DurableBackend.InMemory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Event_raised_before_the_orchestration_waits_for_it_is_kept(DurableBackend backend)
    {
        await using TestHost host = await this.StartAsync(this.Options(backend));
        var gate = host.Services.GetRequiredService<Gate>();

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), new ApprovalRequest("Cilla", TimeoutSeconds: 60, HoldGreeting: true));

        // Azure Storage can drop events sent to an instance that is still Pending; see AddDurableEngine.
        await host.Client.WaitForInstanceStartAsync(id, Within(Patience).Token);
        await gate.Entered.WaitAsync(Patience);

        // The orchestrator is parked on the greeting activity and has not asked for the event yet.
        await host.Client.RaiseEventAsync(id, ApprovalOrchestrator.DecisionEvent, "early");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        gate.Open();

        OrchestrationMetadata done = await WaitForCompletionAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("Hej Cilla", "early", TimedOut: false), done.ReadOutputAs<ApprovalOutcome>());
    }

    [Theory]
    [InlineData(DurableBackend.InMemory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Terminate_ends_a_waiting_orchestration(DurableBackend backend)
    {
        await using TestHost host = await this.StartAsync(this.Options(backend));

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), new ApprovalRequest("Dan", TimeoutSeconds: 60));
        await WaitForCustomStatusAsync(host.Client, id, "waiting");
        await host.Client.TerminateInstanceAsync(id, "withdrawn");

        OrchestrationMetadata done = await WaitForCompletionAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
    }

    [Fact]
    public async Task Waiting_orchestration_survives_a_restart_on_Azure_Storage()
    {
        DurableEngineOptions options = this.Options(DurableBackend.AzureStorage);
        string id;
        await using (TestHost first = await this.StartAsync(options))
        {
            id = await first.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), new ApprovalRequest("Eva", TimeoutSeconds: 120));
            await WaitForCustomStatusAsync(first.Client, id, "waiting");
        }

        var restart = Stopwatch.StartNew();
        await using TestHost second = await this.StartAsync(options);
        output.WriteLine($"AzureStorage: new host started in {restart.ElapsedMilliseconds} ms");

        OrchestrationMetadata? before = await second.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Running, before?.RuntimeStatus);

        var sw = Stopwatch.StartNew();
        await second.Client.RaiseEventAsync(id, ApprovalOrchestrator.DecisionEvent, "approved after restart");
        OrchestrationMetadata done = await WaitForCompletionAsync(second.Client, id);
        output.WriteLine($"AzureStorage: event to completion after restart {sw.ElapsedMilliseconds} ms");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("Hej Eva", "approved after restart", TimedOut: false), done.ReadOutputAs<ApprovalOutcome>());
    }

    [Fact]
    public async Task Azure_Storage_accepts_an_explicit_Azurite_connection_string()
    {
        DurableEngineOptions options = this.Options(DurableBackend.AzureStorage) with { ConnectionString = ExplicitAzurite };
        await using TestHost host = await this.StartAsync(options);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EchoOrchestrator), 42);
        OrchestrationMetadata done = await WaitForCompletionAsync(host.Client, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(42, done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task In_memory_backend_runs_hundreds_of_orchestrations_a_second()
    {
        const int Count = 200;
        await using TestHost host = await this.StartAsync(this.Options(DurableBackend.InMemory));

        var sw = Stopwatch.StartNew();
        string[] ids = await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
            host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EchoOrchestrator), i)));
        OrchestrationMetadata[] results = await Task.WhenAll(ids.Select(id => WaitForCompletionAsync(host.Client, id)));
        sw.Stop();

        output.WriteLine($"InMemory: {Count} orchestrations in {sw.ElapsedMilliseconds} ms = {Count / sw.Elapsed.TotalSeconds:F0}/s");
        Assert.All(results, r => Assert.Equal(OrchestrationRuntimeStatus.Completed, r.RuntimeStatus));
        Assert.Equal(Enumerable.Range(0, Count).Sum(), results.Sum(r => r.ReadOutputAs<int>()));

        // Timing goals belong to benchmarks (the rate is printed above), not to a test.
    }

    [Fact]
    public void Fast_in_memory_backend_lifts_the_caps_the_dispatcher_reads()
    {
        // The sidecar's dispatcher only sees the backend as IOrchestrationService.
        var service = new FastInMemoryOrchestrationService();
        Assert.Equal(FastInMemoryOrchestrationService.DefaultMaxConcurrentWorkItems, ((IOrchestrationService)service).MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(FastInMemoryOrchestrationService.DefaultMaxConcurrentWorkItems, ((IOrchestrationService)service).MaxConcurrentTaskActivityWorkItems);
    }

    [Fact]
    public async Task Sidecar_listens_on_a_free_loopback_port()
    {
        var backend = new FastInMemoryOrchestrationService();
        await using DurableSidecar sidecar = await DurableSidecar.StartAsync(backend, backend);

        Assert.NotEqual(0, sidecar.EndPoint.Port);
        Assert.True(IPAddress.IsLoopback(sidecar.EndPoint.Address));
        Assert.Equal(sidecar.EndPoint.Port, sidecar.Address.Port);
    }

    [Fact]
    public async Task Engine_listens_on_a_given_port()
    {
        int port = FreePort();
        await using TestHost host = await this.StartAsync(this.Options(DurableBackend.InMemory) with { Port = port });

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EchoOrchestrator), 7);
        Assert.Equal(7, (await WaitForCompletionAsync(host.Client, id)).ReadOutputAs<int>());

        using var probe = new TcpClient();
        await probe.ConnectAsync(IPAddress.Loopback, port);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    DurableEngineOptions Options(DurableBackend backend)
    {
        var options = new DurableEngineOptions
        {
            Backend = backend,
            ConnectionString = DurableEngineOptions.DevelopmentStorage,

            // Letters and digits only, as Azure Storage requires; unique so tests never share state.
            TaskHubName = $"t{Guid.NewGuid():N}"[..20],
        };
        if (backend == DurableBackend.AzureStorage)
        {
            this.taskHubsToDelete.Add(options);
        }

        return options;
    }

    async Task<TestHost> StartAsync(DurableEngineOptions options)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Greeter>();
        builder.Services.AddSingleton<Gate>();
        builder.Services.AddDurableEngine(options, tasks => tasks
            .AddOrchestrator<ApprovalOrchestrator>()
            .AddOrchestrator<EchoOrchestrator>()
            .AddActivity<GreetActivity>()
            .AddActivity<EchoActivity>());

        IHost host = builder.Build();
        try
        {
            await host.StartAsync(Within(Patience).Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TestHost(host);
    }

    static async Task WaitForCustomStatusAsync(DurableTaskClient client, string id, string status)
    {
        using CancellationTokenSource timeout = Within(Patience);
        while (true)
        {
            OrchestrationMetadata? metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, timeout.Token);
            if (metadata?.SerializedCustomStatus is not null && metadata.ReadCustomStatusAs<string>() == status)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskClient client, string id)
    {
        using CancellationTokenSource timeout = Within(Patience);
        return await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    static CancellationTokenSource Within(TimeSpan delay) => new(delay);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (DurableEngineOptions options in this.taskHubsToDelete)
        {
            using var service = new AzureStorageOrchestrationService(AzureStorageBackend.CreateSettings(options));
            await service.DeleteAsync();
        }
    }

    sealed class TestHost(IHost host) : IAsyncDisposable
    {
        public DurableTaskClient Client => host.Services.GetRequiredService<DurableTaskClient>();

        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}

internal sealed record ApprovalRequest(string Name, int TimeoutSeconds, bool HoldGreeting = false);

internal sealed record ApprovalOutcome(string Greeting, string? Decision, bool TimedOut);

/// <summary>The product's shape in miniature: an activity, then a decision event racing a deadline timer.</summary>
internal sealed class ApprovalOrchestrator : TaskOrchestrator<ApprovalRequest, ApprovalOutcome>
{
    public const string DecisionEvent = "Decision";

    public override async Task<ApprovalOutcome> RunAsync(TaskOrchestrationContext context, ApprovalRequest input)
    {
        string greeting = await context.CallActivityAsync<string>(nameof(GreetActivity), input);
        context.SetCustomStatus("waiting");

        using var cancelLoser = new CancellationTokenSource();
        Task<string> decision = context.WaitForExternalEvent<string>(DecisionEvent, cancelLoser.Token);
        Task deadline = context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(input.TimeoutSeconds), cancelLoser.Token);

        Task winner = await Task.WhenAny(decision, deadline);

        // Synchronous on purpose: an orchestrator may only await durable tasks, and CancelAsync is not one.
        cancelLoser.Cancel();
        if (winner == decision)
        {
            context.SetCustomStatus("decided");
            return new ApprovalOutcome(greeting, await decision, TimedOut: false);
        }

        context.SetCustomStatus("timed out");
        return new ApprovalOutcome(greeting, null, TimedOut: true);
    }
}

/// <summary>Resolved from the host's container, to show that activities get their dependencies injected.</summary>
internal sealed class GreetActivity(Greeter greeter, Gate gate) : TaskActivity<ApprovalRequest, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, ApprovalRequest input)
    {
        if (input.HoldGreeting)
        {
            await gate.PassAsync();
        }

        return greeter.Greet(input.Name);
    }
}

internal sealed class Greeter
{
    public string Greet(string name) => $"Hej {name}";
}

/// <summary>Lets a test hold an activity until it has done something the orchestrator must not see yet.</summary>
internal sealed class Gate
{
    readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => this.entered.Task;

    public Task PassAsync()
    {
        this.entered.TrySetResult();
        return this.opened.Task;
    }

    public void Open() => this.opened.TrySetResult();
}

internal sealed class EchoOrchestrator : TaskOrchestrator<int, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, int input) =>
        context.CallActivityAsync<int>(nameof(EchoActivity), input);
}

internal sealed class EchoActivity : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
}

/// <summary>Shows the engine's warnings and errors in the test output, where a failing test's reader looks.</summary>
sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, categoryName);

    public void Dispose()
    {
    }

    sealed class TestOutputLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
                // Background work can log after the test finished, when xunit no longer accepts output.
            }
        }
    }
}
