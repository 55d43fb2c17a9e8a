using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Amu;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Directory;

/// <summary>Identities, engagements, user services, orderer roles and org units in Azure Tables.</summary>
public sealed class DirectoryRepository(StorageAccount storage)
{
    private const string IdentityRow = "identity";
    private const string EngagementPrefix = "engagement|";
    private const string UserServicePrefix = "userservice|";

    /// <summary>
    /// A row that tells by one point read whether a person has any user service — what R6 asks at every activation.
    /// KiV's import writes it with <c>Any = false</c> for a person it creates, and every user service written sets it
    /// to true. A person without the row (written before it existed, or not by KiV) is read whole, as before. Without
    /// it the answer is a query over the person's partition, which the Storage Emulator answers by scanning the whole
    /// table: at a region's import that was the largest cost.
    /// </summary>
    private const string HasUserServicesRow = "userservices";
    private const string OrdererRolePrefix = "ordererrole|";
    private const string AmuPrefix = "amu|";

    private TableClient Identities => storage.Table(TableNames.Identities);

    public async Task<Person?> GetPersonAsync(string hsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        Identity? identity = null;
        List<Engagement> engagements = [];
        List<UserService> services = [];
        List<OrdererRole> roles = [];
        List<AmuMembership> memberships = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {hsaId}");
        await foreach (var row in Identities.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            switch (row.RowKey)
            {
                case IdentityRow: identity = ReadIdentity(row); break;
                case var key when key.StartsWith(EngagementPrefix, StringComparison.Ordinal): engagements.Add(ReadEngagement(row)); break;
                case var key when key.StartsWith(UserServicePrefix, StringComparison.Ordinal): services.Add(ReadUserService(row)); break;
                case var key when key.StartsWith(OrdererRolePrefix, StringComparison.Ordinal): roles.Add(ReadOrdererRole(row)); break;
                case var key when key.StartsWith(AmuPrefix, StringComparison.Ordinal): memberships.Add(ReadMembership(row)); break;
            }
        }

        return identity is null ? null : new Person(identity, engagements, services, roles, memberships);
    }

    /// <summary>
    /// The person as activation and the initial-password notice need them: the identity, the one engagement and every
    /// user service — by point reads when the person is known to have no user service yet (a joiner KiV brought in),
    /// otherwise the whole partition. Orderer roles and AMU memberships are left out when the point reads suffice.
    /// </summary>
    public async Task<Person?> GetPersonForEngagementAsync(string hsaId, string engagementId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var identity = Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, IdentityRow, cancellationToken: cancellationToken);
        var engagement = Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, EngagementPrefix + engagementId, cancellationToken: cancellationToken);
        var hasUserServices = Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, HasUserServicesRow, cancellationToken: cancellationToken);
        await Task.WhenAll(identity, engagement, hasUserServices);
        if (!(await identity).HasValue)
        {
            return null;
        }

        if ((await hasUserServices) is not { HasValue: true } known || known.Value!.GetBoolean("Any") != false)
        {
            return await GetPersonAsync(hsaId, cancellationToken);
        }

        var found = await engagement;
        return new Person(ReadIdentity((await identity).Value!), found.HasValue ? [ReadEngagement(found.Value!)] : [], [], []);
    }

    public async Task<Identity?> GetIdentityAsync(string hsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var response = await Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, IdentityRow, cancellationToken: cancellationToken);
        return response.HasValue ? ReadIdentity(response.Value!) : null;
    }

    /// <summary>
    /// The unit tree changes only when KiV says so, yet is read whole (a scan of every unit) on every order placed and
    /// approval requested. So it is read at most once per <see cref="TreeLifetime"/> in each process: this process's
    /// own writes drop it at once, another instance's are seen within that time.
    /// </summary>
    public static readonly TimeSpan TreeLifetime = TimeSpan.FromSeconds(60);

    private sealed record CachedTree(OrgTree Tree, long ReadAt);

    private CachedTree? _tree;
    private long _treeVersion;

    public async Task<OrgTree> GetOrgTreeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _tree) is { } cached && System.Diagnostics.Stopwatch.GetElapsedTime(cached.ReadAt) < TreeLifetime)
        {
            return cached.Tree;
        }

        var version = Interlocked.Read(ref _treeVersion);
        var readAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var tree = await ReadOrgTreeAsync(cancellationToken);

        // A write that dropped the cache while this read was under way may not be in it: keep it only if none did.
        if (Interlocked.Read(ref _treeVersion) == version)
        {
            Volatile.Write(ref _tree, new CachedTree(tree, readAt));
        }

        return tree;
    }

    private void ForgetOrgTree()
    {
        Interlocked.Increment(ref _treeVersion);
        Volatile.Write(ref _tree, null);
    }

    private async Task<OrgTree> ReadOrgTreeAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<OrgUnit> units = [];
        await foreach (var row in storage.Table(TableNames.OrgUnits).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            units.Add(new OrgUnit(row.RowKey, row.GetString("Name"), row.PartitionKey, row.GetString("ParentId")));
        }

        return new OrgTree(units);
    }

    /// <summary>The engagements the manager is nearest manager for, as (HSA-id, engagement id) pairs.</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId)>> GetManagedEngagementsAsync(
        string managerHsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<(string, string)> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {managerHsaId}");
        await foreach (var row in storage.Table(TableNames.ManagerIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add((row.GetString("HsaId"), row.RowKey));
        }

        return result;
    }

    /// <summary>The engagements at one org unit, as (HSA-id, engagement id) pairs.</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId)>> GetEngagementsInUnitAsync(
        string orgUnitId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<(string, string)> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgUnitId}");
        await foreach (var row in storage.Table(TableNames.UnitIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add((row.GetString("HsaId"), row.RowKey));
        }

        return result;
    }

    public async Task UpsertMembershipAsync(AmuMembership membership, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(
            new TableEntity(membership.HsaId, AmuPrefix + membership.GroupId)
            {
                ["RequestId"] = membership.RequestId,
                ["ApprovedBy"] = membership.ApprovedBy,
                ["GrantedOn"] = Format(membership.GrantedOn),
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    public async Task UpsertOrgUnitAsync(OrgUnit unit, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.Table(TableNames.OrgUnits).UpsertEntityAsync(ToEntity(unit), TableUpdateMode.Replace, cancellationToken);
        ForgetOrgTree();
    }

    public async Task UpsertIdentityAsync(Identity identity, CancellationToken cancellationToken = default) =>
        await UpsertIdentityAsync(identity, await GetIdentityAsync(identity.HsaId, cancellationToken), cancellationToken);

    private async Task UpsertIdentityAsync(Identity identity, Identity? previous, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(ToEntity(identity), TableUpdateMode.Replace, cancellationToken);
        if (previous is not null && previous != identity)
        {
            await ReindexPersonAsync(previous, identity, cancellationToken);
        }
    }

    /// <summary>
    /// A person whose name or protection changed: their PersonIndex rows under the old keys go, the new ones come, and
    /// their ManagerIndex rows carry the new fields. (A person new to the directory has no engagements to index yet.)
    /// </summary>
    private async Task ReindexPersonAsync(Identity previous, Identity identity, CancellationToken cancellationToken)
    {
        if (await GetPersonAsync(identity.HsaId, cancellationToken) is not { } person)
        {
            return;
        }

        var tree = await GetOrgTreeAsync(cancellationToken);
        var rows = person.Engagements.SelectMany(e => PersonIndex.RowsFor(identity, e, tree)).ToList();
        await UpsertAllAsync(TableNames.PersonIndex, rows, cancellationToken);
        await UpsertAllAsync(TableNames.ManagerIndex, person.Engagements.Where(e => e.ManagerHsaId is not null)
            .Select(e => PersonIndex.ToEntity(e.ManagerHsaId!, e.EngagementId, identity, e)), cancellationToken);
        var kept = rows.Select(r => (r.PartitionKey, r.RowKey)).ToHashSet();
        await DeleteAllAsync(TableNames.PersonIndex, person.Engagements.SelectMany(e => PersonIndex.RowsFor(previous, e, tree))
            .Select(r => (r.PartitionKey, r.RowKey)).Where(k => !kept.Contains(k)), cancellationToken);
    }

    public async Task UpsertEngagementAsync(Engagement engagement, CancellationToken cancellationToken = default) =>
        await ApplyEngagementAsync(engagement, cancellationToken);

    /// <summary>
    /// Writes an engagement unless it is stored exactly so already (so a repeated KiV batch writes nothing), with
    /// its manager and unit indexes. Returns what it was before (null when new) and whether anything changed.
    /// </summary>
    public async Task<(Engagement? Previous, bool Changed)> ApplyEngagementAsync(Engagement engagement, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var existing = await Identities.GetEntityIfExistsAsync<TableEntity>(
            engagement.HsaId, EngagementPrefix + engagement.EngagementId, cancellationToken: cancellationToken);
        var previous = existing.HasValue ? ReadEngagement(existing.Value!) : null;
        if (previous == engagement)
        {
            return (previous, false);
        }

        // The indexes first: a reader may briefly see a manager or unit without the engagement, never an
        // engagement that its manager or unit cannot find. The manager's row and the search rows carry the person.
        var identity = await GetIdentityAsync(engagement.HsaId, cancellationToken);
        var tree = await GetOrgTreeAsync(cancellationToken);
        if (engagement.ManagerHsaId is { } manager)
        {
            await storage.Table(TableNames.ManagerIndex).UpsertEntityAsync(ManagerRow(identity, engagement), TableUpdateMode.Replace, cancellationToken);
        }

        var searchRows = identity is null ? [] : PersonIndex.RowsFor(identity, engagement, tree).ToList();
        await UpsertAllAsync(TableNames.PersonIndex, searchRows, cancellationToken);

        if (engagement.OrgUnitId != previous?.OrgUnitId)
        {
            await storage.Table(TableNames.UnitIndex).UpsertEntityAsync(
                new TableEntity(engagement.OrgUnitId, engagement.EngagementId) { ["HsaId"] = engagement.HsaId }, TableUpdateMode.Replace, cancellationToken);
        }

        await Identities.UpsertEntityAsync(ToEntity(engagement), TableUpdateMode.Replace, cancellationToken);

        if (previous?.ManagerHsaId is { } previousManager && previousManager != engagement.ManagerHsaId)
        {
            await DeleteIfExistsAsync(TableNames.ManagerIndex, previousManager, engagement.EngagementId, cancellationToken);
        }

        if (previous is not null && previous.OrgUnitId != engagement.OrgUnitId)
        {
            await DeleteIfExistsAsync(TableNames.UnitIndex, previous.OrgUnitId, engagement.EngagementId, cancellationToken);
        }

        if (previous is not null && identity is not null)
        {
            var kept = searchRows.Select(r => (r.PartitionKey, r.RowKey)).ToHashSet();
            await DeleteAllAsync(TableNames.PersonIndex, PersonIndex.RowsFor(identity, previous, tree).Select(r => (r.PartitionKey, r.RowKey)).Where(k => !kept.Contains(k)), cancellationToken);
        }

        return (previous, true);
    }

    /// <summary>The ManagerIndex row of an engagement: with the person's fields when the identity is known (the search reads them).</summary>
    private static TableEntity ManagerRow(Identity? identity, Engagement engagement) =>
        identity is null
            ? new TableEntity(engagement.ManagerHsaId, engagement.EngagementId) { ["HsaId"] = engagement.HsaId }
            : PersonIndex.ToEntity(engagement.ManagerHsaId!, engagement.EngagementId, identity, engagement);

    /// <summary>Writes an identity unless it is stored exactly so already; true when it changed.</summary>
    public async Task<bool> ApplyIdentityAsync(Identity identity, CancellationToken cancellationToken = default)
    {
        var previous = await GetIdentityAsync(identity.HsaId, cancellationToken);
        if (previous == identity)
        {
            return false;
        }

        await UpsertIdentityAsync(identity, previous, cancellationToken);
        return true;
    }

    /// <summary>Writes an org unit unless it is stored exactly so already; true when it changed.</summary>
    public async Task<bool> ApplyOrgUnitAsync(OrgUnit unit, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var existing = await storage.Table(TableNames.OrgUnits).GetEntityIfExistsAsync<TableEntity>(unit.Administration, unit.Id, cancellationToken: cancellationToken);
        if (existing.HasValue && existing.Value!.GetString("Name") == unit.Name && existing.Value.GetString("ParentId") == unit.ParentId)
        {
            return false;
        }

        await UpsertOrgUnitAsync(unit, cancellationToken);
        return true;
    }

    /// <summary>
    /// Storage requests one batch apply keeps in flight at once: point requests wait mostly on storage's latency
    /// (Azurite's one thread is often busy elsewhere), so more in flight means more done, up to what storage takes.
    /// </summary>
    private const int BatchParallelism = 32;

    /// <summary>
    /// Writes the org units that are not stored exactly so already: the stored units are read in one query, the
    /// changed ones written in one transaction per administration (up to 100 rows each). Returns how many changed.
    /// </summary>
    public async Task<int> ApplyOrgUnitsAsync(IReadOnlyList<OrgUnit> units, CancellationToken cancellationToken = default)
    {
        // Compared with what is stored now, not with a cached tree that may miss another instance's writes.
        var stored = (await ReadOrgTreeAsync(cancellationToken)).Units.ToDictionary(u => (u.Administration, u.Id));
        var changed = units.Where(u => !stored.TryGetValue((u.Administration, u.Id), out var s) || s.Name != u.Name || s.ParentId != u.ParentId).ToList();
        await UpsertAllAsync(TableNames.OrgUnits, changed.Select(ToEntity), cancellationToken);
        if (changed.Count > 0)
        {
            ForgetOrgTree();
        }

        return changed.Count;
    }

    /// <summary>
    /// Writes the identities that are not stored exactly so already (so a repeated KiV batch writes nothing): point
    /// reads and writes, a few at a time. Returns how many changed.
    /// </summary>
    public async Task<int> ApplyIdentitiesAsync(IReadOnlyList<Identity> identities, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var stored = await ReadAllAsync(identities, i => (i.HsaId, IdentityRow), ReadIdentity, cancellationToken);
        var changed = identities.Where((identity, i) => stored[i] != identity).ToList();
        var created = identities.Where((_, i) => stored[i] is null).Select(identity => new TableEntity(identity.HsaId, HasUserServicesRow) { ["Any"] = false });
        await UpsertAllAsync(TableNames.Identities, changed.Select(ToEntity).Concat(created), cancellationToken);

        // A renamed (or newly protected) person is found under the new name only; a new one has no engagement yet.
        foreach (var (identity, previous) in identities.Select((identity, i) => (identity, stored[i])).Where(p => p.Item2 is not null && p.Item2 != p.identity))
        {
            await ReindexPersonAsync(previous!, identity, cancellationToken);
        }

        return changed.Count;
    }

    /// <summary>
    /// The engagements that are not stored exactly so already (so a repeated KiV batch writes nothing), each with what
    /// it is now (null when new), by point reads a few at a time. <see cref="WriteEngagementChangesAsync"/> writes them.
    /// </summary>
    public async Task<IReadOnlyList<(Engagement Engagement, Engagement? Previous)>> FindEngagementChangesAsync(
        IReadOnlyList<Engagement> engagements, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var stored = await ReadAllAsync(engagements, e => (e.HsaId, EngagementPrefix + e.EngagementId), ReadEngagement, cancellationToken);
        return engagements.Select((engagement, i) => (Engagement: engagement, Previous: stored[i])).Where(c => c.Previous != c.Engagement).ToList();
    }

    /// <summary>
    /// Writes engagement changes with their manager and unit indexes, as <see cref="ApplyEngagementAsync"/> does one at
    /// a time, but grouped per partition into transactions: the new index rows first, then the engagements, then the
    /// old index rows are removed.
    /// </summary>
    public async Task WriteEngagementChangesAsync(IReadOnlyList<(Engagement Engagement, Engagement? Previous)> changed, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);

        // The search's rows carry the person (PersonIndex): their identities, by point reads, once per person.
        var people = changed.Select(c => c.Engagement.HsaId).Distinct(StringComparer.Ordinal).ToList();
        var read = await ReadAllAsync(people, hsaId => (hsaId, IdentityRow), ReadIdentity, cancellationToken);
        var identities = people.Select((hsaId, i) => (hsaId, Identity: read[i])).Where(p => p.Identity is not null)
            .ToDictionary(p => p.hsaId, p => p.Identity!, StringComparer.Ordinal);
        var tree = await GetOrgTreeAsync(cancellationToken);
        var searchRows = changed.Where(c => identities.ContainsKey(c.Engagement.HsaId))
            .SelectMany(c => PersonIndex.RowsFor(identities[c.Engagement.HsaId], c.Engagement, tree))
            .DistinctBy(r => (r.PartitionKey, r.RowKey)).ToList(); // a transaction may not hold one row twice

        // The indexes first: a reader may briefly see a manager or unit without the engagement, never an
        // engagement that its manager or unit cannot find.
        await Task.WhenAll(
            UpsertAllAsync(TableNames.ManagerIndex, changed
                .Where(c => c.Engagement.ManagerHsaId is not null)
                .Select(c => ManagerRow(identities.GetValueOrDefault(c.Engagement.HsaId), c.Engagement)), cancellationToken),
            UpsertAllAsync(TableNames.PersonIndex, searchRows, cancellationToken),
            UpsertAllAsync(TableNames.UnitIndex, changed
                .Where(c => c.Engagement.OrgUnitId != c.Previous?.OrgUnitId)
                .Select(c => new TableEntity(c.Engagement.OrgUnitId, c.Engagement.EngagementId) { ["HsaId"] = c.Engagement.HsaId }), cancellationToken));
        await UpsertAllAsync(TableNames.Identities, changed.Select(c => ToEntity(c.Engagement)), cancellationToken);

        var stale = changed.Where(c => c.Previous?.ManagerHsaId is { } m && m != c.Engagement.ManagerHsaId)
            .Select(c => (Table: TableNames.ManagerIndex, PartitionKey: c.Previous!.ManagerHsaId!, c.Engagement.EngagementId))
            .Concat(changed.Where(c => c.Previous is not null && c.Previous.OrgUnitId != c.Engagement.OrgUnitId)
                .Select(c => (Table: TableNames.UnitIndex, PartitionKey: c.Previous!.OrgUnitId, c.Engagement.EngagementId)))
            .ToList();
        await Parallel.ForEachAsync(stale, ParallelOptions(cancellationToken),
            async (row, token) => await DeleteIfExistsAsync(row.Table, row.PartitionKey, row.EngagementId, token));

        // A mover's search rows of the old administration (same keys elsewhere are replaced above).
        var kept = searchRows.Select(r => (r.PartitionKey, r.RowKey)).ToHashSet();
        await DeleteAllAsync(TableNames.PersonIndex, changed.Where(c => c.Previous is not null && identities.ContainsKey(c.Engagement.HsaId))
            .SelectMany(c => PersonIndex.RowsFor(identities[c.Engagement.HsaId], c.Previous!, tree))
            .Select(r => (r.PartitionKey, r.RowKey)).Where(k => !kept.Contains(k)), cancellationToken);
    }

    private async Task DeleteAllAsync(string table, IEnumerable<(string PartitionKey, string RowKey)> rows, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(rows.Distinct().ToList(), ParallelOptions(cancellationToken),
            async (row, token) => await DeleteIfExistsAsync(table, row.PartitionKey, row.RowKey, token));

    /// <summary>The ManagerIndex rows of a manager, each with the person and engagement when written with them (null for an older row).</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId, (Identity Identity, Engagement Engagement)? Indexed)>> GetReportsAsync(
        string managerHsaId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<(string, string, (Identity, Engagement)?)> result = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {managerHsaId}");
        await foreach (var row in storage.Table(TableNames.ManagerIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add((row.GetString("HsaId"), row.RowKey, PersonIndex.Read(row)));
        }

        return result;
    }

    private int _personIndexBuilt;

    /// <summary>Whether every person stored is in the PersonIndex (its backfill has run); remembered once true.</summary>
    public async Task<bool> IsPersonIndexBuiltAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _personIndexBuilt) == 1)
        {
            return true;
        }

        await storage.EnsureCreatedAsync(cancellationToken);
        var marker = await storage.Table(TableNames.PersonIndex).GetEntityIfExistsAsync<TableEntity>(PersonIndex.BuiltPartition, PersonIndex.BuiltRow, cancellationToken: cancellationToken);
        if (marker.HasValue)
        {
            Volatile.Write(ref _personIndexBuilt, 1);
        }

        return marker.HasValue;
    }

    /// <summary>
    /// The PersonIndex rows of an administration whose key begins with <paramref name="normalizedPrefix"/>, in key order,
    /// page by page as the reader goes (so a search that has its results stops reading).
    /// </summary>
    public async IAsyncEnumerable<(Identity Identity, Engagement Engagement)> SearchPersonIndexAsync(
        string administration, string normalizedPrefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var upper = PersonIndex.UpperBound(normalizedPrefix);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {administration} and RowKey ge {normalizedPrefix} and RowKey lt {upper}");
        await foreach (var row in storage.Table(TableNames.PersonIndex).QueryAsync<TableEntity>(filter, maxPerPage: 200, cancellationToken: cancellationToken))
        {
            if (PersonIndex.Read(row) is { } indexed)
            {
                yield return indexed;
            }
        }
    }

    /// <summary>
    /// Indexes every person stored (PersonIndex rows, ManagerIndex rows with the person's fields) — data written before the
    /// index existed — and then marks the index built. Reads the Identities table once, whole; idempotent. False when it
    /// was built already.
    /// </summary>
    public async Task<bool> BackfillPersonIndexAsync(CancellationToken cancellationToken = default)
    {
        if (await IsPersonIndexBuiltAsync(cancellationToken))
        {
            return false;
        }

        var tree = await GetOrgTreeAsync(cancellationToken);
        Identity? identity = null;
        List<Engagement> engagements = [];
        List<TableEntity> search = [];
        List<TableEntity> managers = [];
        void Flush()
        {
            if (identity is not null)
            {
                search.AddRange(engagements.SelectMany(e => PersonIndex.RowsFor(identity, e, tree)));
                managers.AddRange(engagements.Where(e => e.ManagerHsaId is not null).Select(e => PersonIndex.ToEntity(e.ManagerHsaId!, e.EngagementId, identity, e)));
            }

            (identity, engagements) = (null, []);
        }

        string? partition = null;
        await foreach (var row in Identities.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            if (row.PartitionKey != partition)
            {
                Flush();
                partition = row.PartitionKey;
            }

            if (row.RowKey == IdentityRow)
            {
                identity = ReadIdentity(row);
            }
            else if (row.RowKey.StartsWith(EngagementPrefix, StringComparison.Ordinal))
            {
                engagements.Add(ReadEngagement(row));
            }
        }

        Flush();
        await UpsertAllAsync(TableNames.PersonIndex, search, cancellationToken);
        await UpsertAllAsync(TableNames.ManagerIndex, managers, cancellationToken);
        await storage.Table(TableNames.PersonIndex).UpsertEntityAsync(
            new TableEntity(PersonIndex.BuiltPartition, PersonIndex.BuiltRow) { ["At"] = DateTimeOffset.UtcNow }, TableUpdateMode.Replace, cancellationToken);
        Volatile.Write(ref _personIndexBuilt, 1);
        return true;
    }

    /// <summary>The user service of one engagement, by a point read.</summary>
    public async Task<UserService?> GetUserServiceAsync(string hsaId, string engagementId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, UserServicePrefix + engagementId, cancellationToken: cancellationToken);
        return row.HasValue ? ReadUserService(row.Value!) : null;
    }

    /// <summary>Point reads in the Identities table, a few at a time; the result is in the order of the items.</summary>
    private async Task<T?[]> ReadAllAsync<TItem, T>(
        IReadOnlyList<TItem> items, Func<TItem, (string PartitionKey, string RowKey)> key, Func<TableEntity, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var result = new T?[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), ParallelOptions(cancellationToken), async (i, token) =>
        {
            var (partitionKey, rowKey) = key(items[i]);
            var row = await Identities.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: token);
            result[i] = row.HasValue ? read(row.Value!) : null;
        });
        return result;
    }

    /// <summary>Upserts rows: one transaction per partition (up to 100 rows each), a single write for a lone row, a few partitions at a time.</summary>
    private async Task UpsertAllAsync(string table, IEnumerable<TableEntity> entities, CancellationToken cancellationToken)
    {
        var client = storage.Table(table);
        var batches = entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)).ToList();
        await Parallel.ForEachAsync(batches, ParallelOptions(cancellationToken), async (batch, token) =>
        {
            if (batch.Length == 1)
            {
                await client.UpsertEntityAsync(batch[0], TableUpdateMode.Replace, token);
            }
            else
            {
                await client.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), token);
            }
        });
    }

    private static ParallelOptions ParallelOptions(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken };

    private async Task DeleteIfExistsAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Table(table).DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task UpsertUserServiceAsync(UserService service, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.SubmitTransactionAsync(
            [new(TableTransactionActionType.UpsertReplace, ToEntity(service)), new(TableTransactionActionType.UpsertReplace, HasUserServices(service.HsaId))],
            cancellationToken);
    }

    public async Task UpsertOrdererRoleAsync(OrdererRole role, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Identities.UpsertEntityAsync(
            new TableEntity(role.HsaId, OrdererRolePrefix + role.RoleId)
            {
                ["Administration"] = role.Administration,
                ["OrgUnitIds"] = string.Join(',', role.OrgUnitIds),
                ["ValidFrom"] = Format(role.ValidFrom),
                ["ValidTo"] = Format(role.ValidTo),
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    private static TableEntity ToEntity(OrgUnit unit) =>
        new(unit.Administration, unit.Id) { ["Name"] = unit.Name, ["ParentId"] = unit.ParentId };

    private static TableEntity ToEntity(Identity identity) =>
        new(identity.HsaId, IdentityRow)
        {
            ["GivenName"] = identity.GivenName,
            ["FamilyName"] = identity.FamilyName,
            ["Email"] = identity.Email,
            ["Protected"] = identity.Protected,
        };

    private static TableEntity ToEntity(Engagement engagement) =>
        new(engagement.HsaId, EngagementPrefix + engagement.EngagementId)
        {
            ["OrgUnitId"] = engagement.OrgUnitId,
            ["Title"] = engagement.Title,
            ["StartDate"] = Format(engagement.StartDate),
            ["EndDate"] = Format(engagement.EndDate),
            ["ManagerHsaId"] = engagement.ManagerHsaId,
            ["Kind"] = engagement.Kind?.ToString(),
        };

    internal static TableEntity ToEntity(UserService service) =>
        new(service.HsaId, UserServicePrefix + service.EngagementId)
        {
            ["Level"] = service.Level,
            ["Status"] = service.Status.ToString(),
            ["ActivatedOn"] = Format(service.ActivatedOn),
            ["EndedOn"] = Format(service.EndedOn),
            ["OrderId"] = service.OrderId,
        };

    /// <summary>Goes in the same transaction as any user service written (see <see cref="HasUserServicesRow"/>).</summary>
    internal static TableEntity HasUserServices(string hsaId) => new(hsaId, HasUserServicesRow) { ["Any"] = true };

    internal static string UserServiceRowKey(string engagementId) => UserServicePrefix + engagementId;

    internal static UserService ReadUserService(TableEntity row) => new(
        row.PartitionKey,
        row.RowKey[UserServicePrefix.Length..],
        row.GetString("Level"),
        Enum.Parse<UserServiceStatus>(row.GetString("Status")),
        ParseDate(row.GetString("ActivatedOn")),
        ParseDate(row.GetString("EndedOn")),
        row.GetString("OrderId"));

    private static Identity ReadIdentity(TableEntity row) => new(
        row.PartitionKey, row.GetString("GivenName"), row.GetString("FamilyName"), row.GetString("Email"), row.GetBoolean("Protected") ?? false);

    private static Engagement ReadEngagement(TableEntity row) => new(
        row.RowKey[EngagementPrefix.Length..],
        row.PartitionKey,
        row.GetString("OrgUnitId"),
        row.GetString("Title"),
        ParseDate(row.GetString("StartDate")) ?? DateOnly.MinValue,
        ParseDate(row.GetString("EndDate")),
        row.GetString("ManagerHsaId"),
        Enum.TryParse<EngagementKind>(row.GetString("Kind"), out var kind) ? kind : null);

    private static OrdererRole ReadOrdererRole(TableEntity row) => new(
        row.RowKey[OrdererRolePrefix.Length..],
        row.PartitionKey,
        row.GetString("Administration"),
        row.GetString("OrgUnitIds").Split(',', StringSplitOptions.RemoveEmptyEntries),
        ParseDate(row.GetString("ValidFrom")),
        ParseDate(row.GetString("ValidTo")));

    private static AmuMembership ReadMembership(TableEntity row) => new(
        row.PartitionKey, row.RowKey[AmuPrefix.Length..], row.GetString("RequestId"), row.GetString("ApprovedBy"), ParseDate(row.GetString("GrantedOn")));

    internal static string? Format(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateOnly? ParseDate(string? text) =>
        string.IsNullOrEmpty(text) ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
