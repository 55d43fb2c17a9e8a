using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Kiv;

/// <summary>
/// The night's run over every org unit, for what a KiV batch missed; or, with <see cref="Units"/>, the same run over
/// the units a changed assignment policy covers (old and new version), started by saving it.
/// </summary>
public sealed record NightlyInput(DateOnly Day, IReadOnlyList<string>? Units = null);

/// <summary>
/// What a unit's reconciliation did; <see cref="DueNow"/> are the policy orders it placed whose start date has come.
/// <see cref="Failed"/> counts the people (or, in a run's total, also whole units) whose reconciliation failed: they
/// are logged with their ids and left to the next night, and the rest of the run goes on.
/// </summary>
public sealed record UnitReconciled(int Engagements, int PolicyChanges, int EndTimers, int RightsEnded, IReadOnlyList<string>? DueNow = null, int Failed = 0)
{
    public UnitReconciled Plus(UnitReconciled other) => new(Engagements + other.Engagements, PolicyChanges + other.PolicyChanges,
        EndTimers + other.EndTimers, RightsEnded + other.RightsEnded, [.. DueNow ?? [], .. other.DueNow ?? []], Failed + other.Failed);
}

/// <summary>A run's custom status while it goes: units done of all, and how many people or units failed so far.</summary>
public sealed record NightlyProgress(int UnitsDone, int Units, int Failed);

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

    public const string NightlyPrefix = "NIGHTLY-";

    /// <summary>A saved policy's re-evaluation: <c>POLICY-{policy}-{when}</c>.</summary>
    public const string PolicyPrefix = "POLICY-";

    public static string InstanceIdFor(DateOnly day) => $"{NightlyPrefix}{day:yyyyMMdd}";

    /// <summary>
    /// Re-evaluates the units a saved policy covers, in the background: a policy over a whole administration covers
    /// thousands of engagements, more than a request should place orders for (and a request that dies half-way
    /// would leave the rest to the night). Each save gets a run of its own; a repeated one finds nothing left to do.
    /// </summary>
    public static async Task<string> StartForPolicyAsync(DurableTaskClient client, string policyId, IReadOnlyList<string> units, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instanceId = $"{PolicyPrefix}{policyId}-{now.UtcDateTime:yyyyMMddHHmmssfffffff}";
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
        var log = context.CreateReplaySafeLogger<NightlyReconciliationOrchestrator>();
        var units = input.Units ?? await context.CallActivityAsync<List<string>>(nameof(ListOrgUnitsActivity), input.Day, ActivityRetry.Options);
        var total = new UnitReconciled(0, 0, 0, 0);
        var done = 0;
        foreach (var batch in units.Chunk(Parallelism))
        {
            var round = new UnitReconciled(0, 0, 0, 0);
            foreach (var result in await Task.WhenAll(batch.Select(unit => ReconcileUnitAsync(context, unit))))
            {
                round = round.Plus(result);
            }

            foreach (var due in (round.DueNow ?? []).Chunk(KivImportOrchestrator.OrdersPerActivation))
            {
                await context.CallActivityAsync<int>(nameof(ActivatePolicyOrdersActivity), new PolicyActivationBatch(due, context.CurrentUtcDateTime), ActivityRetry.Options);
            }

            total = total.Plus(round with { DueNow = [] });
            done += batch.Length;
            context.SetCustomStatus(new NightlyProgress(done, units.Count, total.Failed));
        }

        if (input.Units is null)
        {
            await context.CallActivityAsync<int>(nameof(ResumeOrphanedOrdersActivity), input.Day, ActivityRetry.Options);
        }

        NightlyLog.RunCompleted(log, context.InstanceId, units.Count, total.Engagements, total.Failed);
        return total with { DueNow = null };
    }

    /// <summary>
    /// One unit; a unit whose activity still fails after its retries is counted as failed and the run goes on (its
    /// people are tried again the next night). People who fail on their own are counted by the activity.
    /// </summary>
    private static async Task<UnitReconciled> ReconcileUnitAsync(TaskOrchestrationContext context, string unit)
    {
        try
        {
            return await context.CallActivityAsync<UnitReconciled>(nameof(ReconcileOrgUnitActivity), unit, ActivityRetry.Options);
        }
        catch (TaskFailedException e)
        {
            NightlyLog.UnitFailed(context.CreateReplaySafeLogger<NightlyReconciliationOrchestrator>(), unit, e.FailureDetails.ErrorMessage);
            return new UnitReconciled(0, 0, 0, 0, Failed: 1);
        }
    }
}

public sealed class ListOrgUnitsActivity(DirectoryRepository directory) : TaskActivity<DateOnly, List<string>>
{
    public override async Task<List<string>> RunAsync(TaskActivityContext context, DateOnly input) =>
        (await directory.GetOrgTreeAsync()).Units.Select(u => u.Id).Order(StringComparer.Ordinal).ToList();
}

public sealed class ReconcileOrgUnitActivity(
    DirectoryRepository directory, PolicyRepository policies, PolicyEngine engine, PersonReconciler reconciler, OrchestrationStarter starter,
    TimeProvider clock, ILogger<ReconcileOrgUnitActivity> logger)
    : TaskActivity<string, UnitReconciled>
{
    /// <summary>People reconciled at once; each keeps a few storage requests going.</summary>
    private const int Parallelism = 8;

    public override async Task<UnitReconciled> RunAsync(TaskActivityContext context, string orgUnitId)
    {
        var today = StockholmTime.Today(clock);
        var people = (await directory.GetEngagementsInUnitAsync(orgUnitId)).GroupBy(e => e.HsaId, StringComparer.Ordinal).ToList();
        var tree = await directory.GetOrgTreeAsync();
        var policySet = await policies.ListAsync();
        var results = new UnitReconciled[people.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, people.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            try
            {
                results[i] = await ReconcilePersonAsync(people[i].Key, people[i].ToList(), orgUnitId, policySet, tree, today);
            }
            catch (Exception e)
            {
                // One person's bad data (or a fault while at them) must not hold up the unit or fail the night's run,
                // night after night: logged with their id, counted, and tried again the next night.
                NightlyLog.PersonFailed(logger, e, people[i].Key, orgUnitId);
                results[i] = new UnitReconciled(people[i].Count(), 0, 0, 0, Failed: 1);
            }
        });

        return results.Aggregate(new UnitReconciled(0, 0, 0, 0, []), (sum, result) => sum.Plus(result));
    }

    /// <summary>Policies (R5), end timers for the person's engagements here with a last day, and their delegations and orderer roles.</summary>
    private async Task<UnitReconciled> ReconcilePersonAsync(
        string hsaId, List<(string HsaId, string EngagementId)> engagements, string orgUnitId, IReadOnlyList<AssignmentPolicy> policySet, OrgTree tree, DateOnly today)
    {
        var application = await engine.ApplyAsync(
            await engine.EvaluateAsync(engagements, policySet, tree, CancellationToken.None), starter.Client, batchDueNow: true, CancellationToken.None);

        var timers = 0;
        var person = await directory.GetPersonAsync(hsaId);
        foreach (var engagement in person?.Engagements.Where(e => e.OrgUnitId == orgUnitId && e.EndDate is not null) ?? [])
        {
            var instanceId = EngagementEndOrchestrator.InstanceIdFor(engagement.EngagementId, engagement.EndDate!.Value);
            if (await starter.Client.GetInstanceAsync(instanceId) is null && engagement.EndDate >= today.AddDays(-1))
            {
                await starter.Client.ScheduleNewOrchestrationInstanceAsync(nameof(EngagementEndOrchestrator),
                    new EngagementEndInput(hsaId, engagement.EngagementId, engagement.EndDate.Value, StockholmTime.EndOfDayUtc(engagement.EndDate.Value)),
                    new StartOrchestrationOptions(instanceId));
                timers++;
            }
        }

        var rightsEnded = await reconciler.ReconcileAsync(hsaId, today);
        return new UnitReconciled(engagements.Count, application.Applied.Count, timers, rightsEnded, application.DueNow);
    }
}

/// <summary>What an operator reads about the night's run: ids and counts, never names.</summary>
internal static partial class NightlyLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Nightly reconciliation: {HsaId} in {OrgUnitId} failed; the rest of the run goes on")]
    public static partial void PersonFailed(ILogger logger, Exception exception, string hsaId, string orgUnitId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Nightly reconciliation: unit {OrgUnitId} failed after its retries ({Error}); the rest of the run goes on")]
    public static partial void UnitFailed(ILogger logger, string orgUnitId, string error);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Nightly reconciliation {InstanceId} done: {Units} units, {Engagements} engagements, {Failed} failed")]
    public static partial void RunCompleted(ILogger logger, string instanceId, int units, int engagements, int failed);
}
