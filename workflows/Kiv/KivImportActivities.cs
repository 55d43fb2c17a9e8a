using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Leavers;
using Behorighetsportal.Policies;
using Microsoft.DurableTask;

namespace Behorighetsportal.Kiv;

/// <summary>
/// Applies one chunk of a KiV batch. For engagements that are new or changed, the assignment policies of their
/// administration are evaluated at once (joiners get their level; movers are re-evaluated the same day).
/// </summary>
public sealed class ApplyKivChunkActivity(
    KivImportRepository imports, DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine, OrchestrationStarter starter,
    PersonReconciler reconciler, TimeProvider clock)
    : TaskActivity<KivChunk, KivChunkResult>
{
    public override async Task<KivChunkResult> RunAsync(TaskActivityContext context, KivChunk input)
    {
        var changed = 0;
        var policyChanges = 0;
        switch (input.Section)
        {
            case KivSections.OrgUnits:
                foreach (var unit in await imports.ReadChunkAsync<OrgUnit>(input.ImportId, input.Section, input.Chunk, CancellationToken.None))
                {
                    changed += await directory.ApplyOrgUnitAsync(unit) ? 1 : 0;
                }

                break;
            case KivSections.Identities:
                foreach (var identity in await imports.ReadChunkAsync<Identity>(input.ImportId, input.Section, input.Chunk, CancellationToken.None))
                {
                    changed += await directory.ApplyIdentityAsync(identity) ? 1 : 0;
                }

                break;
            default:
                List<(string HsaId, string EngagementId)> touched = [];
                foreach (var engagement in await imports.ReadChunkAsync<Engagement>(input.ImportId, input.Section, input.Chunk, CancellationToken.None))
                {
                    var (previous, didChange) = await directory.ApplyEngagementAsync(engagement);
                    if (!didChange)
                    {
                        continue;
                    }

                    changed++;
                    touched.Add((engagement.HsaId, engagement.EngagementId));
                    if (engagement.EndDate is { } endDate && endDate != previous?.EndDate)
                    {
                        await ScheduleEndAsync(engagement, endDate);
                    }

                    // A mover: rights that depended on the old place are re-evaluated the same day.
                    if (previous is not null && (previous.ManagerHsaId != engagement.ManagerHsaId || previous.OrgUnitId != engagement.OrgUnitId))
                    {
                        await reconciler.ReconcileAsync(engagement.HsaId, StockholmTime.Today(clock));
                    }
                }

                if (touched.Count > 0)
                {
                    var tree = await directory.GetOrgTreeAsync();
                    var evaluated = await engine.EvaluateAsync(touched, await policies.ListAsync(), tree, CancellationToken.None);
                    policyChanges = (await engine.ApplyAsync(evaluated, starter.Client, CancellationToken.None)).Count;
                }

                break;
        }

        await imports.RecordChunkAsync(input.ImportId, input.Section, input.Chunk, changed, policyChanges, CancellationToken.None);
        return new KivChunkResult(changed, policyChanges);
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
