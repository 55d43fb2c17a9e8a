using Behorighetsportal.Amu;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Functions.Requests;

/// <summary>Orderer-role orders, AMU applications and their lifecycle as Durable Functions.</summary>
public sealed class AccessRequestFunctions(OrdererRoleEndpoints ordererRoles, AmuEndpoints amu)
{
    [Function("OrderOrdererRole")]
    public Task<IResult> OrderOrdererRole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/orderer-roles")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        ordererRoles.OrderAsync(request, durable, request.HttpContext.RequestAborted);

    [Function("ApplyForAmu")]
    public Task<IResult> ApplyForAmu(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/amu-applications")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        amu.ApplyAsync(request, durable, request.HttpContext.RequestAborted);

    [Function(nameof(AccessRequestLifecycleOrchestrator))]
    public static Task<AccessRequestStatus> AccessRequestLifecycle([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new AccessRequestLifecycleOrchestrator().RunAsync(context, context.GetInput<AccessRequestLifecycleInput>()!);

    [Function(nameof(RequestAccessApprovalActivity))]
    public static Task<bool> RequestAccessApproval([ActivityTrigger] AccessRequestRef input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<RequestAccessApprovalActivity, AccessRequestRef, bool>(input, instanceId, function);

    [Function(nameof(CloseAccessApprovalActivity))]
    public static Task<AccessRequestStatus> CloseAccessApproval([ActivityTrigger] AccessRequestRef input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<CloseAccessApprovalActivity, AccessRequestRef, AccessRequestStatus>(input, instanceId, function);

    [Function(nameof(GrantAccessActivity))]
    public static Task<AccessRequestStatus> GrantAccess([ActivityTrigger] AccessRequestRef input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<GrantAccessActivity, AccessRequestRef, AccessRequestStatus>(input, instanceId, function);

    [Function(nameof(EndAccessActivity))]
    public static Task<AccessRequestStatus> EndAccess([ActivityTrigger] AccessRequestRef input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<EndAccessActivity, AccessRequestRef, AccessRequestStatus>(input, instanceId, function);

}
