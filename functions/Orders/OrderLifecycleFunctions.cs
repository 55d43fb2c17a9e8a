using Behorighetsportal.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Behorighetsportal.Functions.Orders;

/// <summary>The order lifecycle orchestrator and its activities as Durable Functions, one line each.</summary>
public static class OrderLifecycleFunctions
{
    [Function(nameof(OrderLifecycleOrchestrator))]
    public static Task<OrderStatus> OrderLifecycle([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new OrderLifecycleOrchestrator().RunAsync(context, context.GetInput<OrderLifecycleInput>()!);

    [Function(nameof(RequestApprovalActivity))]
    public static Task<bool> RequestApproval([ActivityTrigger] ApprovalRequest input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<RequestApprovalActivity, ApprovalRequest, bool>(input, instanceId, function);

    [Function(nameof(RecordOrderStepActivity))]
    public static Task<OrderStatus> RecordOrderStep([ActivityTrigger] OrderStep input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<RecordOrderStepActivity, OrderStep, OrderStatus>(input, instanceId, function);

    [Function(nameof(ExpireDecisionActivity))]
    public static Task<ClosedDecision> ExpireDecision([ActivityTrigger] ExpireDecisionRequest input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<ExpireDecisionActivity, ExpireDecisionRequest, ClosedDecision>(input, instanceId, function);

    [Function(nameof(NotifyOrdererActivity))]
    public static Task<bool> NotifyOrderer([ActivityTrigger] OrdererNotice input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<NotifyOrdererActivity, OrdererNotice, bool>(input, instanceId, function);

    [Function(nameof(ActivateUserServiceActivity))]
    public static Task<ActivationResult> ActivateUserService([ActivityTrigger] ActivationRequest input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<ActivateUserServiceActivity, ActivationRequest, ActivationResult>(input, instanceId, function);

    [Function(nameof(SendInitialPasswordNoticeActivity))]
    public static Task<bool> SendInitialPasswordNotice([ActivityTrigger] PasswordNoticeRequest input, string instanceId, FunctionContext function) =>
        Activity.RunAsync<SendInitialPasswordNoticeActivity, PasswordNoticeRequest, bool>(input, instanceId, function);

}
