using Behorighetsportal.Durable;
using Behorighetsportal.Kiv;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Kiv;

/// <summary>KiV import routes and the import orchestration as Durable Functions.</summary>
public sealed class KivFunctions(KivImportEndpoints imports)
{
    [Function("KivImport")]
    public Task<IResult> Import(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/kiv/import")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        imports.ImportAsync(request, durable, request.HttpContext.RequestAborted);

    [Function("KivImportProgress")]
    public Task<IResult> Progress(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/kiv/imports/{importId}")] HttpRequest request, string importId) =>
        imports.ProgressAsync(request, importId, request.HttpContext.RequestAborted);

    [Function(nameof(KivImportOrchestrator))]
    public static Task<KivChunkResult> KivImport([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new KivImportOrchestrator().RunAsync(context, context.GetInput<KivImportInput>()!);

    // The chunk activity starts policy orders: it lends its durable client binding for the call.
    [Function(nameof(ApplyKivChunkActivity))]
    public static async Task<KivChunkResult> ApplyKivChunk(
        [ActivityTrigger] KivChunk input, string instanceId, [DurableClient] DurableTaskClient durable, FunctionContext function)
    {
        using (OrchestrationStarter.Use(durable))
        {
            return await Activity.RunAsync<ApplyKivChunkActivity, KivChunk, KivChunkResult>(input, instanceId, function);
        }
    }

    // Activation starts a workflow for an order KiV has moved or ended meanwhile: it lends its durable client too.
    [Function(nameof(ActivatePolicyOrdersActivity))]
    public static async Task<int> ActivatePolicyOrders(
        [ActivityTrigger] PolicyActivationBatch input, string instanceId, [DurableClient] DurableTaskClient durable, FunctionContext function)
    {
        using (OrchestrationStarter.Use(durable))
        {
            return await Activity.RunAsync<ActivatePolicyOrdersActivity, PolicyActivationBatch, int>(input, instanceId, function);
        }
    }

    [Function(nameof(CompleteKivImportActivity))]
    public static Task<bool> CompleteKivImport([ActivityTrigger] string importId, string instanceId, FunctionContext function) =>
        Activity.RunAsync<CompleteKivImportActivity, string, bool>(importId, instanceId, function);

    [Function(nameof(EngagementEndOrchestrator))]
    public static Task<bool> EngagementEnd([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new EngagementEndOrchestrator().RunAsync(context, context.GetInput<EngagementEndInput>()!);

    [Function(nameof(CloseEngagementActivity))]
    public static async Task<bool> CloseEngagement(
        [ActivityTrigger] EngagementEndInput input, string instanceId, [DurableClient] DurableTaskClient durable, FunctionContext function)
    {
        using (OrchestrationStarter.Use(durable))
        {
            return await Activity.RunAsync<CloseEngagementActivity, EngagementEndInput, bool>(input, instanceId, function);
        }
    }

    /// <summary>Every night at 01:00 UTC (02:00 or 03:00 in Stockholm): the reconciliation over everything.</summary>
    [Function("NightlyReconciliation")]
    public static Task<bool> Nightly([TimerTrigger("0 0 1 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, FunctionContext function) =>
        NightlyReconciliationOrchestrator.StartAsync(durable, Behorighetsportal.Directory.StockholmTime.Today(TimeProvider.System), function.CancellationToken);

    [Function(nameof(NightlyReconciliationOrchestrator))]
    public static Task<UnitReconciled> NightlyRun([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new NightlyReconciliationOrchestrator().RunAsync(context, context.GetInput<NightlyInput>()!);

    [Function(nameof(ListOrgUnitsActivity))]
    public static Task<List<string>> ListOrgUnits([ActivityTrigger] DateOnly day, string instanceId, FunctionContext function) =>
        Activity.RunAsync<ListOrgUnitsActivity, DateOnly, List<string>>(day, instanceId, function);

    [Function(nameof(ReconcileOrgUnitActivity))]
    public static async Task<UnitReconciled> ReconcileOrgUnit(
        [ActivityTrigger] string orgUnitId, string instanceId, [DurableClient] DurableTaskClient durable, FunctionContext function)
    {
        using (OrchestrationStarter.Use(durable))
        {
            return await Activity.RunAsync<ReconcileOrgUnitActivity, string, UnitReconciled>(orgUnitId, instanceId, function);
        }
    }

    [Function(nameof(ResumeOrphanedOrdersActivity))]
    public static async Task<int> ResumeOrphanedOrders(
        [ActivityTrigger] DateOnly night, string instanceId, [DurableClient] DurableTaskClient durable, FunctionContext function)
    {
        using (OrchestrationStarter.Use(durable))
        {
            return await Activity.RunAsync<ResumeOrphanedOrdersActivity, DateOnly, int>(night, instanceId, function);
        }
    }
}
