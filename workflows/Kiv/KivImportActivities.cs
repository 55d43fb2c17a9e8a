using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Leavers;
using Behorighetsportal.Policies;
using Microsoft.DurableTask;

namespace Behorighetsportal.Kiv;

/// <summary>
/// Applies chunks of a KiV batch, one after the other; each chunk's rows are read and written a few at a time, in
/// transactions per partition. For engagements that are new or changed, the assignment policies of their
/// administration are evaluated at once (joiners get their level; movers are re-evaluated the same day).
/// Idempotent: a row stored exactly so already is not written, and a chunk is counted once.
/// </summary>
public sealed class ApplyKivChunkActivity(
    KivImportRepository imports, DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine, OrchestrationStarter starter,
    PersonReconciler reconciler, TimeProvider clock)
    : TaskActivity<KivChunk, KivChunkResult>
{
    /// <summary>End timers started at once.</summary>
    private const int Parallelism = 8;

    public override async Task<KivChunkResult> RunAsync(TaskActivityContext context, KivChunk input)
    {
        var total = new KivChunkResult(0, 0, []);
        for (var chunk = input.Chunk; chunk < input.Chunk + Math.Max(1, input.Count); chunk++)
        {
            var result = await ApplyAsync(input.ImportId, input.Section, chunk);
            total = new KivChunkResult(total.Changed + result.Changed, total.PolicyChanges + result.PolicyChanges, [.. total.DueNow!, .. result.DueNow!]);
        }

        return total;
    }

    private async Task<KivChunkResult> ApplyAsync(string importId, string section, int chunk)
    {
        var changed = 0;
        var policyChanges = 0;
        IReadOnlyList<string> dueNow = [];
        switch (section)
        {
            case KivSections.OrgUnits:
                changed = await directory.ApplyOrgUnitsAsync(await imports.ReadChunkAsync<OrgUnit>(importId, section, chunk, CancellationToken.None));
                break;
            case KivSections.Identities:
                changed = await directory.ApplyIdentitiesAsync(await imports.ReadChunkAsync<Identity>(importId, section, chunk, CancellationToken.None));
                break;
            default:
                var rows = await imports.ReadChunkAsync<Engagement>(importId, section, chunk, CancellationToken.None);
                var applied = await directory.ApplyEngagementsAsync(rows);
                changed = applied.Count;
                await Parallel.ForEachAsync(
                    applied.Where(a => a.Engagement.EndDate is { } end && end != a.Previous?.EndDate),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
                    async (a, _) => await ScheduleEndAsync(a.Engagement, a.Engagement.EndDate!.Value));

                // A mover: rights that depended on the old place are re-evaluated the same day.
                var today = StockholmTime.Today(clock);
                foreach (var hsaId in applied
                             .Where(a => a.Previous is not null && (a.Previous.ManagerHsaId != a.Engagement.ManagerHsaId || a.Previous.OrgUnitId != a.Engagement.OrgUnitId))
                             .Select(a => a.Engagement.HsaId).Distinct(StringComparer.Ordinal))
                {
                    await reconciler.ReconcileAsync(hsaId, today);
                }

                if (applied.Count > 0)
                {
                    var tree = await directory.GetOrgTreeAsync();
                    var evaluated = await engine.EvaluateEngagementsAsync(applied, await policies.ListAsync(), tree, CancellationToken.None);
                    var application = await engine.ApplyAsync(evaluated, starter.Client, batchDueNow: true, CancellationToken.None);
                    (policyChanges, dueNow) = (application.Applied.Count, application.DueNow);
                }

                // Rows stored exactly so already: on a retry of this activity, what an earlier attempt wrote. Orders it
                // placed for them, due and not yet activated, go to the batch again.
                var changedIds = applied.Select(a => a.Engagement.EngagementId).ToHashSet(StringComparer.Ordinal);
                var unchanged = rows.Where(e => !changedIds.Contains(e.EngagementId)).ToList();
                if (unchanged.Count > 0)
                {
                    dueNow = [.. dueNow, .. await engine.PlacedAndStillDueAsync(
                        unchanged, await policies.ListAsync(), await directory.GetOrgTreeAsync(), starter.Client, CancellationToken.None)];
                }

                break;
        }

        await imports.RecordChunkAsync(importId, section, chunk, changed, policyChanges, CancellationToken.None);
        return new KivChunkResult(changed, policyChanges, dueNow);
    }

    private async Task ScheduleEndAsync(Engagement engagement, DateOnly endDate)
    {
        var instanceId = EngagementEndOrchestrator.InstanceIdFor(engagement.EngagementId, endDate);
        if (await starter.Client.GetInstanceAsync(instanceId) is not null)
        {
            return;
        }

        await starter.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EngagementEndOrchestrator),
            new EngagementEndInput(engagement.HsaId, engagement.EngagementId, endDate, StockholmTime.StartOfDayUtc(endDate.AddDays(1))),
            new StartOrchestrationOptions(instanceId));
    }
}

public sealed class CompleteKivImportActivity(KivImportRepository imports, AuditLog audit, TimeProvider clock) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string importId)
    {
        var now = clock.GetUtcNow();
        await imports.CompleteAsync(importId, KivImportStatus.Completed, null, now, CancellationToken.None);
        var progress = await imports.GetAsync(importId, CancellationToken.None);
        await audit.AppendAsync(new AuditEntry(importId, now, "KivImportCompleted", "KiV",
            $"{progress?.Changed} ändrade rader, {progress?.PolicyChanges} policytilldelningar"));
        return true;
    }
}
