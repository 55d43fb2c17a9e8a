using Behorighetsportal.Audit;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>The append-only audit log on Azurite (R12).</summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private StorageTestContext _context = null!;

    private AuditLog Audit => _context.Get<AuditLog>();

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync(seed: false);

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task AppendAsync_SameEntryTwice_StoresOneRow()
    {
        // Arrange
        var entry = new AuditEntry("ORD-TAUDIT1", new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), "Placed", Demo.Eva, "Nivå Standard");

        // Act
        await Audit.AppendAsync(entry);
        await Audit.AppendAsync(entry);

        // Assert
        Assert.Equal(entry, Assert.Single(await Audit.ReadAsync("ORD-TAUDIT1")));
    }

    [Fact]
    public async Task ReadAsync_EntriesAppendedOutOfOrder_ReturnsThemInTimeOrder()
    {
        // Arrange
        var start = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var placed = new AuditEntry("ORD-TAUDIT2", start, "Placed", Demo.Eva);
        var requested = new AuditEntry("ORD-TAUDIT2", start.AddSeconds(1), "ApprovalRequested", "system", "Till " + Demo.Fredrik);
        var approved = new AuditEntry("ORD-TAUDIT2", start.AddDays(1), "Approved", Demo.Fredrik);
        var activated = new AuditEntry("ORD-TAUDIT2", start.AddDays(30), "Activated", "system");

        // Act
        await Audit.AppendAsync(activated);
        await Audit.AppendAsync(approved);
        await Audit.AppendAsync(placed);
        await Audit.AppendAsync(requested);

        // Assert
        Assert.Equal([placed, requested, approved, activated], await Audit.ReadAsync("ORD-TAUDIT2"));
    }

    [Fact]
    public async Task AppendAsync_TwoStepsAtSameInstant_KeepsBoth()
    {
        // Arrange
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

        // Act
        await Audit.AppendAsync(new AuditEntry("ORD-TAUDIT3", at, "Attested", "attestant"));
        await Audit.AppendAsync(new AuditEntry("ORD-TAUDIT3", at, "WaitingForStartDate", "system"));

        // Assert
        Assert.Equal(2, (await Audit.ReadAsync("ORD-TAUDIT3")).Count);
    }

    [Fact]
    public async Task ReadAsync_OtherSubject_SeesNoEntriesOfThisOne()
    {
        // Arrange
        await Audit.AppendAsync(new AuditEntry("ORD-TAUDIT4", DateTimeOffset.UtcNow, "Placed", Demo.Eva));

        // Act
        var other = await Audit.ReadAsync("ORD-TAUDIT5");

        // Assert
        Assert.Empty(other);
    }
}
