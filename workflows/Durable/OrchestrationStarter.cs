using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Durable;

/// <summary>
/// The durable client for code that starts orchestrations from inside an activity (a KiV import starts policy
/// orders and leaver timers). The devhost has the client in its container; a Functions activity receives it as a
/// binding and lends it for the call with <see cref="Use"/>.
/// </summary>
public sealed class OrchestrationStarter(IServiceProvider services)
{
    private static readonly AsyncLocal<DurableTaskClient?> Lent = new();

    public DurableTaskClient Client =>
        Lent.Value ?? services.GetService<DurableTaskClient>()
        ?? throw new InvalidOperationException("No durable client: a Functions activity must lend its [DurableClient] with OrchestrationStarter.Use.");

    public static IDisposable Use(DurableTaskClient client)
    {
        var previous = Lent.Value;
        Lent.Value = client;
        return new Restore(previous);
    }

    private sealed class Restore(DurableTaskClient? previous) : IDisposable
    {
        public void Dispose() => Lent.Value = previous;
    }
}
