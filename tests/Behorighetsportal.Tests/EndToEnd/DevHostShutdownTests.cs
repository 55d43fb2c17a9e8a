using Azure.Data.Tables;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Behorighetsportal.Tests.EndToEnd;

/// <summary>
/// The devhost stops when asked (SIGTERM, as Ctrl+C or a service manager asks) whatever its storage does: with
/// Azurite alive it stops cleanly and hands its partition lease back; with Azurite gone first it still exits, instead
/// of retrying the lease release for minutes until killed. The devhost runs as its own process on an Azurite of this
/// test's own, which the test kills.
/// </summary>
public sealed class DevHostShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>An upper bound that catches the hang (over 100 s), not a speed goal: a healthy stop takes about a second.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);

    private readonly SmtpInbox _inbox = new();
    private AzuriteProcess _azurite = null!;
    private DevHostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        _host = new DevHostProcess(_inbox, storage: _azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        try
        {
            output.WriteLine($"--- devhost output ({_host.BaseUrl}, prefix {_host.Prefix}) ---");
            output.WriteLine(_host.OutputTail(200));
        }
        finally
        {
            await _host.DisposeAsync();
            await _azurite.DisposeAsync();
            _inbox.Dispose();
        }
    }

    [Fact]
    public async Task Stop_StorageAliveThenStorageGoneFirst_ExitsByItselfBothTimes()
    {
        // Arrange: a devhost that owns its task hub's partition.
        await _host.StartAsync();

        // Act 1: stopped while Azurite answers.
        var alive = await _host.TerminateAsync(StopBound);

        // Assert 1: it exited by itself, with 0, and gave its lease back for the next host.
        Assert.True(alive.Exited, $"With Azurite alive, the devhost was still running {StopBound.TotalSeconds} s after SIGTERM.\n{_host.OutputTail()}");
        Assert.True(alive.ExitCode == 0, $"With Azurite alive, the devhost exited with {alive.ExitCode}.\n{_host.OutputTail()}");
        List<TableEntity> leases = [];
        await foreach (var lease in _host.DurablePartitions.QueryAsync<TableEntity>())
        {
            leases.Add(lease);
        }

        Assert.NotEmpty(leases);
        Assert.All(leases, lease => Assert.True(string.IsNullOrEmpty(lease.GetString("CurrentOwner")),
            $"Partition {lease.RowKey} is still owned by {lease.GetString("CurrentOwner")} after a clean stop."));

        // Arrange 2: started again, then storage goes away under it.
        await _host.StartAsync();
        await _azurite.KillAsync();
        Assert.False(_azurite.Running);

        // Act 2
        var gone = await _host.TerminateAsync(StopBound);

        // Assert 2: it still exits by itself, well before anyone would reach for SIGKILL.
        Assert.True(gone.Exited, $"With Azurite gone, the devhost was still running {StopBound.TotalSeconds} s after SIGTERM (killed).\n{_host.OutputTail()}");
        Assert.True(gone.ExitCode == 0, $"With Azurite gone, the devhost exited with {gone.ExitCode}.\n{_host.OutputTail()}");
    }
}
