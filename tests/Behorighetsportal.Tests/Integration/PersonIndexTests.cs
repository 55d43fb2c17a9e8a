using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Storage;
using Behorighetsportal.Telemetry;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>Alone: the storage requests a search makes are counted process-wide (storage.transactions).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StorageCountingCollection
{
    public const string Name = "Storage requests counted (not in parallel)";
}

/// <summary>
/// The people search's index on Azurite: an orderer whose role covers a whole administration (here SU, with 400 people
/// in 40 units written as KiV's import writes them) finds people by name or HSA-id prefix in a bounded number of storage
/// requests, not one per unit and person; renames and movers are found only as they are now; data written before the
/// index is found before the backfill (read as before) and by the index after it.
/// </summary>
[Collection(StorageCountingCollection.Name)]
public sealed class PersonIndexTests : IAsyncLifetime
{
    private const int People = 400;
    private StorageTestContext _context = null!;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private static string Hsa(int n) => $"SE2321000131-T{n:D12}";

    [Fact]
    public async Task OrdererOverAWholeAdministration_SearchIsABoundedNumberOfStorageRequests()
    {
        // Arrange: Bertil orders for all of SU (40 new units of 10 people each, and the demo's own).
        await WriteRegionAsync();
        await GiveBertilSuAsync();
        var bertil = await CallerAsync(Demo.Bertil);

        // Act
        var (found, requests) = await CountedAsync(() => Search.SearchAsync(bertil, "Test12", 50, CancellationToken.None));
        var (byFamily, _) = await CountedAsync(() => Search.SearchAsync(bertil, "personsson test7", 50, CancellationToken.None));
        var (byHsaId, _) = await CountedAsync(() => Search.SearchAsync(bertil, Hsa(250), 50, CancellationToken.None));
        var (limited, limitedRequests) = await CountedAsync(() => Search.SearchAsync(bertil, "SE2321000131", 50, CancellationToken.None));
        var (dalia, _) = await CountedAsync(() => Search.SearchAsync(bertil, "dahl", 50, CancellationToken.None));

        // Assert: Test12 and Test120–Test129; a few requests, not ~40 unit queries and hundreds of person reads.
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i == 0 ? Hsa(12) : Hsa(120 + i - 1)).Order(StringComparer.Ordinal),
            found.Select(f => f.Identity.HsaId).Order(StringComparer.Ordinal));
        Assert.True(requests <= 8, $"{requests} storage requests for one search");
        Assert.Equal(Hsa(7), Assert.Single(byFamily, f => f.Identity.HsaId == Hsa(7)).Identity.HsaId);
        Assert.Equal(11, byFamily.Count);
        Assert.Equal(Hsa(250), Assert.Single(byHsaId).Identity.HsaId);
        Assert.Equal("SU-T25", Assert.Single(Assert.Single(byHsaId).Engagements).OrgUnitId);
        Assert.Equal(50, limited.Count);
        Assert.True(limitedRequests <= 8, $"{limitedRequests} storage requests for a search that matches everyone");
        Assert.Empty(dalia);
    }

    [Fact]
    public async Task RenamedAndMovedPeople_FoundAsTheyAreNow()
    {
        // Arrange
        await WriteRegionAsync();
        await GiveBertilSuAsync();
        var directory = _context.Directory;
        await directory.ApplyIdentitiesAsync([new Identity(Hsa(5), "Omdöpt", "Persson", "t5@example.vgregion.se", false)]);
        var moved = EngagementOf(6) with { OrgUnitId = "NU-ORTO", ManagerHsaId = Demo.Maria };
        await directory.WriteEngagementChangesAsync(await directory.FindEngagementChangesAsync([moved]));
        var bertil = await CallerAsync(Demo.Bertil);
        var maria = await CallerAsync(Demo.Maria);

        // Act
        var renamed = await Search.SearchAsync(bertil, "omdöpt", 50, CancellationToken.None);
        var oldName = await Search.SearchAsync(bertil, "test5 personsson", 50, CancellationToken.None);
        var mover = await Search.SearchAsync(bertil, "test6 personsson", 50, CancellationToken.None);
        var asNewManager = await Search.SearchAsync(maria, "test6", 50, CancellationToken.None);

        // Assert
        Assert.Equal(Hsa(5), Assert.Single(renamed).Identity.HsaId);
        Assert.Empty(oldName);
        Assert.Empty(mover);
        Assert.Equal(Hsa(6), Assert.Single(asNewManager).Identity.HsaId);
    }

    [Fact]
    public async Task DataFromBeforeTheIndex_FoundAsBefore_ThenByTheIndexAfterTheBackfill()
    {
        // Arrange: a store without the index: rows as the directory wrote them before it (no PersonIndex rows, no
        // marker, ManagerIndex rows with the HSA-id only).
        await using var old = await StorageTestContext.StartAsync(seed: false);
        var organisation = old.Organization;
        foreach (var unit in organisation.OrgUnits) await old.Directory.UpsertOrgUnitAsync(unit);
        var identities = old.Storage.Table(TableNames.Identities);
        foreach (var identity in organisation.Identities)
        {
            await identities.UpsertEntityAsync(new TableEntity(identity.HsaId, "identity")
            {
                ["GivenName"] = identity.GivenName, ["FamilyName"] = identity.FamilyName, ["Email"] = identity.Email, ["Protected"] = identity.Protected,
            });
        }

        foreach (var e in organisation.Engagements)
        {
            await identities.UpsertEntityAsync(new TableEntity(e.HsaId, "engagement|" + e.EngagementId)
            {
                ["OrgUnitId"] = e.OrgUnitId, ["Title"] = e.Title, ["StartDate"] = DirectoryRepository.Format(e.StartDate),
                ["EndDate"] = DirectoryRepository.Format(e.EndDate), ["ManagerHsaId"] = e.ManagerHsaId,
            });
            await old.Storage.Table(TableNames.UnitIndex).UpsertEntityAsync(new TableEntity(e.OrgUnitId, e.EngagementId) { ["HsaId"] = e.HsaId });
            if (e.ManagerHsaId is { } manager)
            {
                await old.Storage.Table(TableNames.ManagerIndex).UpsertEntityAsync(new TableEntity(manager, e.EngagementId) { ["HsaId"] = e.HsaId });
            }
        }

        foreach (var role in organisation.OrdererRoles) await old.Directory.UpsertOrdererRoleAsync(role);
        var search = old.Get<ActablePeople>();
        var resolver = old.Get<CallerResolver>();
        var eva = (await resolver.ResolveAsync(Demo.Eva, CancellationToken.None))!;
        var anna = (await resolver.ResolveAsync(Demo.Anna, CancellationToken.None))!;

        // Act
        var before = await search.SearchAsync(eva, "hugo", 50, CancellationToken.None);
        var daliaBefore = await search.SearchAsync(anna, "dalia", 50, CancellationToken.None);
        await foreach (var row in old.Storage.Table(TableNames.PersonIndex).QueryAsync<TableEntity>(maxPerPage: 1))
        {
            Assert.Fail($"PersonIndex has a row before the backfill: {row.PartitionKey} {row.RowKey}");
        }

        Assert.True(await old.Directory.BackfillPersonIndexAsync());
        var (after, requests) = await CountedAsync(() => search.SearchAsync(eva, "hugo", 50, CancellationToken.None));
        var everyone = await search.SearchAsync(eva, "SE2321000131", 50, CancellationToken.None);

        // Assert
        Assert.Equal(Demo.Hugo, Assert.Single(before).Identity.HsaId);
        Assert.Equal(Demo.Dalia, Assert.Single(daliaBefore).Identity.HsaId);
        Assert.Equal(Demo.Hugo, Assert.Single(after).Identity.HsaId);
        Assert.True(requests <= 4, $"{requests} storage requests after the backfill");
        Assert.Equal(
            new[] { Demo.Anna, Demo.Bertil, Demo.Cecilia, Demo.Eva, Demo.Fredrik, Demo.Hugo, Demo.Karin, Demo.Johan }.Order(StringComparer.Ordinal),
            everyone.Select(f => f.Identity.HsaId).Order(StringComparer.Ordinal));
        Assert.False(await old.Directory.BackfillPersonIndexAsync());
    }

    private ActablePeople Search => _context.Get<ActablePeople>();

    private Engagement EngagementOf(int n) =>
        new($"TENG-{n:D5}", Hsa(n), $"SU-T{n / 10:D2}", "Sjuksköterska", _context.Today.AddDays(-100), null, Demo.Gunilla);

    /// <summary>40 units under SU with 10 people each, written as KiV's import writes them (identities, then engagements).</summary>
    private async Task WriteRegionAsync()
    {
        var directory = _context.Directory;
        await directory.ApplyOrgUnitsAsync(Enumerable.Range(0, People / 10).Select(u => new OrgUnit($"SU-T{u:D2}", $"Testenhet {u}", "SU", "SU")).ToList());
        await directory.ApplyIdentitiesAsync(Enumerable.Range(0, People).Select(n => new Identity(Hsa(n), $"Test{n}", "Personsson", $"t{n}@example.vgregion.se", false)).ToList());
        await directory.WriteEngagementChangesAsync(await directory.FindEngagementChangesAsync(Enumerable.Range(0, People).Select(EngagementOf).ToList()));
    }

    private async Task GiveBertilSuAsync() =>
        await _context.Directory.UpsertOrdererRoleAsync(new OrdererRole("T-SDA-SU", Demo.Bertil, "SU", ["SU"], _context.Today.AddDays(-1), null));

    private async Task<Caller> CallerAsync(string hsaId) => (await _context.Get<CallerResolver>().ResolveAsync(hsaId, CancellationToken.None))!;

    /// <summary>What the action returns and how many storage requests (storage.transactions) it made.</summary>
    private static async Task<(T Result, long Requests)> CountedAsync<T>(Func<Task<T>> action)
    {
        long count = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == PortalTelemetry.Meter && instrument.Name == StorageTransactionCounter.InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
        listener.Start();
        var result = await action();
        return (result, Interlocked.Read(ref count));
    }
}
