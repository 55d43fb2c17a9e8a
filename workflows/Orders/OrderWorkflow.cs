using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Orders;

/// <summary>Starts an order's workflow — instance id = order id — from where the order stands (<see cref="OrderLifecycleInput.For"/>).</summary>
public static class OrderWorkflow
{
    public static Task StartAsync(DurableTaskClient durable, Order order, WorkflowOptions settings, CancellationToken cancellationToken = default) =>
        durable.ScheduleNewOrchestrationInstanceAsync(nameof(OrderLifecycleOrchestrator), OrderLifecycleInput.For(order, settings),
            new StartOrchestrationOptions(order.OrderId), cancellationToken);

    /// <summary>Starts it unless the order has one (even a failed one: that is an operator's); true when started now.</summary>
    public static async Task<bool> StartIfMissingAsync(DurableTaskClient durable, Order order, WorkflowOptions settings, CancellationToken cancellationToken = default)
    {
        if (await durable.GetInstanceAsync(order.OrderId, cancellationToken) is not null)
        {
            return false;
        }

        await StartAsync(durable, order, settings, cancellationToken);
        return true;
    }
}
