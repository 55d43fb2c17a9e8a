using Behorighetsportal.Durable;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Orders;

/// <summary>
/// The night's sweep for orders without a workflow: an order is written before its workflow is started, and a process
/// that dies between the two leaves an order that nothing moves — and whose claim keeps every new order for the
/// engagement out. An order not yet final, placed over an hour ago (its placing request is long gone) and without a
/// workflow gets one, from where it stands. A workflow that exists, even a failed one, is left to an operator.
/// </summary>
public sealed partial class ResumeOrphanedOrdersActivity(
    OrderRepository orders, OrchestrationStarter starter, IOptions<WorkflowOptions> workflow, TimeProvider clock, ILogger<ResumeOrphanedOrdersActivity> logger)
    : TaskActivity<DateOnly, int>
{
    public static readonly TimeSpan PlacingLongGone = TimeSpan.FromHours(1);

    public override async Task<int> RunAsync(TaskActivityContext context, DateOnly night)
    {
        var resumed = 0;
        await foreach (var order in orders.ListUnfinishedAsync(clock.GetUtcNow() - PlacingLongGone))
        {
            if (!await OrderWorkflow.StartIfMissingAsync(starter.Client, order, workflow.Value))
            {
                continue;
            }

            LogResumed(logger, order.OrderId, order.Status);
            resumed++;

            // A decision stored while there was no workflow to tell (from the list of pending approvals, or by
            // Marknadsplatsen) is announced again, or the new workflow would wait for it until its deadline.
            if (order.Status == OrderStatus.PendingApproval && order.Approval is { } approval)
            {
                await DurableSignals.TryRaiseAsync(starter.Client, order.OrderId, OrderEvents.ApprovalDecided,
                    new DecisionEvent(approval.Outcome, approval.By), logger, CancellationToken.None);
            }

            if (order.Attestation is { } attestation)
            {
                await DurableSignals.TryRaiseAsync(starter.Client, order.OrderId, OrderEvents.AttestationDecided,
                    new DecisionEvent(attestation.Outcome, attestation.By), logger, CancellationToken.None);
            }
        }

        return resumed;
    }

    [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "Order {OrderId} ({Status}) had no workflow; the night's run started one")]
    private static partial void LogResumed(ILogger logger, string orderId, OrderStatus status);
}
