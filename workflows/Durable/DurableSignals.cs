using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Durable;

/// <summary>
/// Delivers an event to an orchestration, or says it could not. Routes store the decision an event announces
/// before raising it, so on failure they can answer "try again" and a repeat is harmless. On Azure Storage an
/// event raised to an instance that has not started yet can be dropped, so a Pending instance is waited for.
/// </summary>
public static partial class DurableSignals
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The whole delivery — reading the instance, waiting out Pending, raising — ends within this. Without a bound, a
    /// storage backend under load held a route's request for over 100 s (measured with 200 decisions at once on
    /// Azurite) until the caller gave up, which is neither a delivery nor a "try again". A raise cut off here may still
    /// arrive; the repeat it asks for is harmless, since the orchestrator takes the first event and the stored decision.
    /// </summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    public static async Task<bool> TryRaiseAsync<T>(
        DurableTaskClient client, string instanceId, string eventName, T payload, ILogger logger, CancellationToken cancellationToken)
    {
        using var delivery = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        delivery.CancelAfter(DeliveryTimeout);
        try
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, delivery.Token);
            if (instance is null)
            {
                return false;
            }

            if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Pending)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(delivery.Token);
                timeout.CancelAfter(StartWait);
                instance = await client.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs: false, timeout.Token);
            }

            if (instance.IsCompleted)
            {
                // Nothing left to wake: the orchestration has ended and the stored decision stands as it is.
                return true;
            }

            await client.RaiseEventAsync(instanceId, eventName, payload, delivery.Token);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the engine's client threw (gRPC, storage, timeout), the caller is told to try again.
            LogRaiseFailed(logger, e, instanceId, eventName);
            return false;
        }
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "{InstanceId}: raising {EventName} failed; the caller was asked to try again")]
    private static partial void LogRaiseFailed(ILogger logger, Exception exception, string instanceId, string eventName);
}
