using Behorighetsportal.Delegations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Delegations;

/// <summary>Delegation routes and the delegation lifecycle as Durable Functions.</summary>
public sealed class DelegationFunctions(DelegationEndpoints delegations)
{
    [Function("CreateDelegation")]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/delegations")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        delegations.CreateAsync(request, durable, request.HttpContext.RequestAborted);

    [Function("ListDelegations")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/delegations")] HttpRequest request) =>
        delegations.ListAsync(request, request.HttpContext.RequestAborted);

    [Function("RevokeDelegation")]
    public Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/delegations/{delegationId}")] HttpRequest request, string delegationId,
        [DurableClient] DurableTaskClient durable) =>
        delegations.RevokeAsync(request, delegationId, durable, request.HttpContext.RequestAborted);

    [Function(nameof(DelegationLifecycleOrchestrator))]
    public static Task<DelegationStatus> DelegationLifecycle([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new DelegationLifecycleOrchestrator().RunAsync(context, context.GetInput<DelegationLifecycleInput>()!);

    [Function(nameof(StartDelegationActivity))]
    public static Task<DelegationStatus> StartDelegation([ActivityTrigger] DelegationStep input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<StartDelegationActivity, DelegationStep, DelegationStatus>(input, instanceId, function);

    [Function(nameof(EndDelegationActivity))]
    public static Task<DelegationStatus> EndDelegation([ActivityTrigger] DelegationStep input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<EndDelegationActivity, DelegationStep, DelegationStatus>(input, instanceId, function);
}
