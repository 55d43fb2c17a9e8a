using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Bench.Pages;

/// <summary>
/// Writes a generated region into the directory by the same repository calls KiV's import makes for each chunk
/// (<c>ApplyKivChunkActivity</c>: org units, then identities, then engagements with their manager and unit
/// indexes), from the benchmark's process. What the import does beside the directory — leavers' end timers, policy
/// orders — is left out: the pages measured read the directory, not those workflows, and through the route the
/// 55 000-person import takes 25 minutes or more on this machine (docs/notes/issue-5.md).
/// </summary>
internal static class RegionLoader
{
    /// <summary>The import's own chunking: 8 chunks of 100 rows per activity.</summary>
    private const int Chunk = 800;

    public static async Task LoadAsync(DirectoryRepository directory, GeneratedRegion region)
    {
        var clock = Stopwatch.StartNew();
        await directory.ApplyOrgUnitsAsync(region.OrgUnits.Select(ToOrgUnit).ToList());
        var identities = region.Identities.Select(ToIdentity).ToList();
        foreach (var chunk in identities.Chunk(Chunk))
        {
            await directory.ApplyIdentitiesAsync(chunk);
        }

        Console.Error.WriteLine($"bench: {identities.Count} identities in {clock.Elapsed.TotalSeconds:F0} s");
        var engagements = region.Engagements.Select(ToEngagement).ToList();
        var done = 0;
        foreach (var chunk in engagements.Chunk(Chunk))
        {
            await directory.WriteEngagementChangesAsync(await directory.FindEngagementChangesAsync(chunk));
            done += chunk.Length;
            if (done % (Chunk * 10) == 0)
            {
                Console.Error.WriteLine($"bench: {done} engagements in {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        Console.Error.WriteLine($"bench: region written in {clock.Elapsed.TotalSeconds:F0} s");

    }

    /// <summary>
    /// Records the people search index as complete, as the backfill does when it is done. The writes of
    /// <see cref="LoadAsync"/> index each person as they go, so the index is complete; the backfill itself walks the
    /// whole directory, page by page, and on Azurite at this size a page takes longer than the client waits.
    /// </summary>
    public static async Task MarkPersonIndexBuiltAsync(string connectionString, string prefix)
    {
        var table = new Azure.Data.Tables.TableClient(connectionString, prefix + TableNames.PersonIndex);
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(PersonIndex.BuiltPartition, PersonIndex.BuiltRow) { ["At"] = DateTimeOffset.UtcNow });
    }

    public static DirectoryRepository Directory(string connectionString, string prefix) =>
        new(new StorageAccount(Options.Create(new StorageOptions { ConnectionString = connectionString, NamePrefix = prefix })));

    public static OrgUnit ToOrgUnit(object row)
    {
        var e = JsonSerializer.SerializeToElement(row);
        return new OrgUnit(e.GetProperty("id").GetString()!, e.GetProperty("name").GetString()!, e.GetProperty("administration").GetString()!,
            e.GetProperty("parentId").GetString());
    }

    public static Identity ToIdentity(object row)
    {
        var e = JsonSerializer.SerializeToElement(row);
        return new Identity(e.GetProperty("hsaId").GetString()!, e.GetProperty("givenName").GetString()!, e.GetProperty("familyName").GetString()!,
            e.GetProperty("email").GetString()!, e.GetProperty("protected").GetBoolean());
    }

    public static Engagement ToEngagement(object row)
    {
        var e = JsonSerializer.SerializeToElement(row);
        return new Engagement(e.GetProperty("engagementId").GetString()!, e.GetProperty("hsaId").GetString()!, e.GetProperty("orgUnitId").GetString()!,
            e.GetProperty("title").GetString()!, Date(e.GetProperty("startDate").GetString())!.Value, Date(e.GetProperty("endDate").GetString()),
            e.GetProperty("managerHsaId").GetString());
    }

    private static DateOnly? Date(string? text) =>
        text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
