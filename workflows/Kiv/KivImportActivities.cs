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
/// administration are evaluated at once (joiners get their level; movers are re-evaluated the same day), leavers get
/// their end timer and movers' rights are reconciled. Idempotent: a row stored exactly so already is not written, a
/// chunk is counted once, and what its rows change is kept before they are written, so a retried attempt (which
/// finds them written) carries out the same consequences — each of them found, not doubled, when it exists.
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
                var found = await directory.FindEngagementChangesAsync(rows);
                var recorded = await imports.RecordChangesAsync(
                    importId, section, chunk, found.Select(f => KivEngagementChange.Of(f.Engagement, f.Previous)).ToList(), CancellationToken.None);
                await directory.WriteEngagementChangesAsync(found);

                // From here on, what to do follows from the batch's rows and what they changed (kept above), not from
                // what this attempt wrote: on a retry after a passing fault the rows are written already.
                var rowsById = rows.ToDictionary(r => r.EngagementId, StringComparer.Ordinal);
                var changes = recorded.Where(c => rowsById.ContainsKey(c.EngagementId)).Select(c => (Change: c, Engagement: rowsById[c.EngagementId])).ToList();
                changed = changes.Count;
                await Parallel.ForEachAsync(
                    changes.Where(c => c.Change.EndChanged && c.Engagement.EndDate is not null),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
                    async (c, _) => await ScheduleEndAsync(c.Engagement, c.Engagement.EndDate!.Value));

                // A mover: rights that depended on the old place are re-evaluated the same day.
                var today = StockholmTime.Today(clock);
                foreach (var hsaId in changes.Where(c => c.Change.Moved).Select(c => c.Engagement.HsaId).Distinct(StringComparer.Ordinal))
                {
                    await reconciler.ReconcileAsync(hsaId, today);
                }

                if (changes.Count > 0)
                {
                    // An order an earlier attempt placed is found again (and, when due, handed to the batch again).
                    var tree = await directory.GetOrgTreeAsync();
                    var evaluated = await engine.EvaluateEngagementsAsync(
                        changes.Select(c => (c.Engagement, c.Change.Existed)).ToList(), await policies.ListAsync(), tree, CancellationToken.None);
                    var application = await engine.ApplyAsync(evaluated, starter.Client, batchDueNow: true, CancellationToken.None);
                    (policyChanges, dueNow) = (application.Applied.Count, application.DueNow);
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
            new EngagementEndInput(engagement.HsaId, engagement.EngagementId, endDate, StockholmTime.EndOfDayUtc(endDate)),
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
