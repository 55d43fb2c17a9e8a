using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>
/// Delivers an event to an order's orchestration, or says it could not. The decision it announces is already
/// stored, so the route can answer "try again" on failure and a repeat is harmless. On Azure Storage an event
/// raised to an instance that has not started yet can be dropped, so a Pending instance is first waited for.
/// </summary>
public static class OrderSignals
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(15);

    public static async Task<bool> TryRaiseAsync(DurableTaskClient client, string orderId, string eventName, DecisionEvent payload, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var instance = await client.GetInstanceAsync(orderId, getInputsAndOutputs: false, cancellationToken);
            if (instance is null)
            {
                return false;
            }

            if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Pending)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(StartWait);
                instance = await client.WaitForInstanceStartAsync(orderId, getInputsAndOutputs: false, timeout.Token);
            }

            if (instance.IsCompleted)
            {
                // Nothing left to wake: the orchestration has ended and the stored decision stands as it is.
                return true;
            }

            await client.RaiseEventAsync(orderId, eventName, payload, cancellationToken);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the engine's client threw (gRPC, storage, timeout), the caller is told to try again.
            OrderLog.RaiseFailed(logger, e, orderId, eventName);
            return false;
        }
    }
}
