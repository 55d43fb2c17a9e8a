using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Kiv;

/// <summary>
/// The night's run over every org unit, for what a KiV batch missed; or, with <see cref="Units"/>, the same run over
/// the units a changed assignment policy covers (old and new version), started by saving it.
/// </summary>
public sealed record NightlyInput(DateOnly Day, IReadOnlyList<string>? Units = null);

/// <summary>What a unit's reconciliation did; <see cref="DueNow"/> are the policy orders it placed whose start date has come.</summary>
public sealed record UnitReconciled(int Engagements, int PolicyChanges, int EndTimers, int RightsEnded, IReadOnlyList<string>? DueNow = null);

/// <summary>
/// Instance id <c>NIGHTLY-{day}</c>, and a second start the same night does nothing: one activity per org unit, a few
/// at a time, runs the same reconciliation a KiV import runs for what it changed — policies (R5), end timers for
/// engagements with a last day, and the delegations and orderer roles of movers and leavers. Policy orders whose start
/// date has come are activated after each round of units, many per activity, as a KiV import does. The night's run
/// ends by giving a workflow to any order left without one.
/// </summary>
public sealed class NightlyReconciliationOrchestrator : TaskOrchestrator<NightlyInput, UnitReconciled>
{
    private const int Parallelism = 4;

    public static string InstanceIdFor(DateOnly day) => $"NIGHTLY-{day:yyyyMMdd}";

    /// <summary>
    /// Re-evaluates the units a saved policy covers, in the background: a policy over a whole administration covers
    /// thousands of engagements, more than a request should place orders for (and a request that dies half-way
    /// would leave the rest to the night). Each save gets a run of its own; a repeated one finds nothing left to do.
    /// </summary>
    public static async Task<string> StartForPolicyAsync(DurableTaskClient client, string policyId, IReadOnlyList<string> units, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instanceId = $"POLICY-{policyId}-{now.UtcDateTime:yyyyMMddHHmmssfffffff}";
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(NightlyReconciliationOrchestrator),
            new NightlyInput(StockholmTime.DateOn(now), units), new StartOrchestrationOptions(instanceId), cancellationToken);
        return instanceId;
    }

    /// <summary>Starts the night's run unless it has been started already; false then.</summary>
    public static async Task<bool> StartAsync(DurableTaskClient client, DateOnly day, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(InstanceIdFor(day), getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return false;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(nameof(NightlyReconciliationOrchestrator), new NightlyInput(day),
            new StartOrchestrationOptions(InstanceIdFor(day)), cancellationToken);
        return true;
    }

    public override async Task<UnitReconciled> RunAsync(TaskOrchestrationContext context, NightlyInput input)
    {
        var units = input.Units ?? await context.CallActivityAsync<List<string>>(nameof(ListOrgUnitsActivity), input.Day, ActivityRetry.Options);
        var total = new UnitReconciled(0, 0, 0, 0);
        foreach (var batch in units.Chunk(Parallelism))
        {
            List<string> dueNow = [];
            foreach (var result in await Task.WhenAll(batch.Select(unit => context.CallActivityAsync<UnitReconciled>(nameof(ReconcileOrgUnitActivity), unit, ActivityRetry.Options))))
            {
                total = new UnitReconciled(total.Engagements + result.Engagements, total.PolicyChanges + result.PolicyChanges,
                    total.EndTimers + result.EndTimers, total.RightsEnded + result.RightsEnded);
                dueNow.AddRange(result.DueNow ?? []);
            }

            foreach (var due in dueNow.Chunk(KivImportOrchestrator.OrdersPerActivation))
            {
                await context.CallActivityAsync<int>(nameof(ActivatePolicyOrdersActivity), new PolicyActivationBatch(due, context.CurrentUtcDateTime), ActivityRetry.Options);
            }
        }

        if (input.Units is null)
        {
            await context.CallActivityAsync<int>(nameof(ResumeOrphanedOrdersActivity), input.Day, ActivityRetry.Options);
        }

        return total;
    }
}

public sealed class ListOrgUnitsActivity(DirectoryRepository directory) : TaskActivity<DateOnly, List<string>>
{
    public override async Task<List<string>> RunAsync(TaskActivityContext context, DateOnly input) =>
        (await directory.GetOrgTreeAsync()).Units.Select(u => u.Id).Order(StringComparer.Ordinal).ToList();
}

public sealed class ReconcileOrgUnitActivity(
    DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine, PersonReconciler reconciler, OrchestrationStarter starter, TimeProvider clock)
    : TaskActivity<string, UnitReconciled>
{
    public override async Task<UnitReconciled> RunAsync(TaskActivityContext context, string orgUnitId)
    {
        var today = StockholmTime.Today(clock);
        var engagements = await directory.GetEngagementsInUnitAsync(orgUnitId);
        var tree = await directory.GetOrgTreeAsync();
        var application = await engine.ApplyAsync(
            await engine.EvaluateAsync(engagements, await policies.ListAsync(), tree, CancellationToken.None), starter.Client, batchDueNow: true, CancellationToken.None);

        var timers = 0;
        var rightsEnded = 0;
        foreach (var hsaId in engagements.Select(e => e.HsaId).Distinct())
        {
            var person = await directory.GetPersonAsync(hsaId);
            foreach (var engagement in person?.Engagements.Where(e => e.OrgUnitId == orgUnitId && e.EndDate is not null) ?? [])
            {
                var instanceId = EngagementEndOrchestrator.InstanceIdFor(engagement.EngagementId, engagement.EndDate!.Value);
                if (await starter.Client.GetInstanceAsync(instanceId) is null && engagement.EndDate >= today.AddDays(-1))
                {
                    await starter.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EngagementEndOrchestrator),
                        new EngagementEndInput(hsaId, engagement.EngagementId, engagement.EndDate.Value, StockholmTime.StartOfDayUtc(engagement.EndDate.Value.AddDays(1))),
                        new StartOrchestrationOptions(instanceId));
                    timers++;
                }
            }

            rightsEnded += await reconciler.ReconcileAsync(hsaId, today);
        }

        return new UnitReconciled(engagements.Count, application.Applied.Count, timers, rightsEnded, application.DueNow);
    }
}
