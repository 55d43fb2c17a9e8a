using System.Collections.Concurrent;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Policies;

/// <summary>Policy orders whose start date has come, activated together; <see cref="At"/> is the orchestration's time.</summary>
public sealed record PolicyActivationBatch(IReadOnlyList<string> OrderIds, DateTime At);

/// <summary>
/// Activates many policy orders in one activity (R4, R5) and sends each its initial-password notice (R6): what each
/// order's own workflow would do on its start date, without a workflow each — at a region's import those were
/// thousands, and their engine work was most of the import's cost. A person's orders go one after the other (the
/// second sees the first's user service, so only one password is made); people go a few at a time, and the holders
/// of each manager's role are read once per batch. Safe to repeat: activation and every email happen once per order.
/// An order that cannot be activated now (KiV moved its start, or ended the engagement), or whose activation fails, is
/// given its own workflow, which waits, closes or retries it the usual way.
/// </summary>
public sealed partial class ActivatePolicyOrdersActivity(
    OrderRepository orders, DirectoryRepository directory, OrderActivation activation, InitialPasswordNotice notice, OrchestrationStarter starter, IOptions<WorkflowOptions> workflow,
    ILogger<ActivatePolicyOrdersActivity> logger)
    : TaskActivity<PolicyActivationBatch, int>
{
    /// <summary>People handled at once; each keeps one storage request or email in flight.</summary>
    private const int Parallelism = 16;

    public override async Task<int> RunAsync(TaskActivityContext context, PolicyActivationBatch input)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc));
        var read = new Order?[input.OrderIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, read.Length), Options(),
            async (i, token) => read[i] = await orders.GetAsync(input.OrderIds[i], token));

        ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ManagerRoleHolder>>>> holders = new(StringComparer.Ordinal);
        async Task<IReadOnlyList<ManagerRoleHolder>> HoldersOf(string managerId)
        {
            var lookup = holders.GetOrAdd(managerId, id => new(() => notice.HoldersAsync(id)));
            try
            {
                return await lookup.Value;
            }
            catch
            {
                // A failed read is not kept: the manager's next order in the batch reads again.
                holders.TryRemove(new KeyValuePair<string, Lazy<Task<IReadOnlyList<ManagerRoleHolder>>>>(managerId, lookup));
                throw;
            }
        }

        var activated = 0;
        var people = read.OfType<Order>().GroupBy(o => o.IdentityId, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(people, Options(), async (person, token) =>
        {
            foreach (var order in person)
            {
                try
                {
                    if (await ActivateAsync(order, at, HoldersOf, token))
                    {
                        Interlocked.Increment(ref activated);
                    }
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // One order's fault must not hold up the rest of the batch (and the import behind it): the order
                    // goes on in a workflow of its own, which retries it and, if it keeps failing, shows which order.
                    LogHandedOver(logger, e, order.OrderId);
                    await OrderWorkflow.StartIfMissingAsync(starter.Client, order, workflow.Value, token);
                }
            }
        });

        LogBatch(logger, input.OrderIds.Count, activated);
        return activated;
    }

    private async Task<bool> ActivateAsync(
        Order order, DateTimeOffset at, Func<string, Task<IReadOnlyList<ManagerRoleHolder>>> holders, CancellationToken cancellationToken)
    {
        if (order.Status is not (OrderStatus.WaitingForStartDate or OrderStatus.Active))
        {
            // Cancelled (a leaver, or by hand) before its turn came: the cancellation stands.
            return false;
        }

        // By point reads when the person has no user service yet (the joiner's usual case): at a region's import a
        // query over each person's partition was the largest cost, as the Storage Emulator scans the whole table for
        // one. For one order at a time the workflow's activities keep the query: one transaction where these are three.
        var person = await directory.GetPersonForEngagementAsync(order.IdentityId, order.EngagementId, cancellationToken);
        var result = await activation.ActivateAsync(order, person, at, cancellationToken);
        switch (result.Outcome)
        {
            case ActivationOutcome.Activated:
                if (result.NeedsInitialPassword && person is not null)
                {
                    await notice.SendAsync(order, person, at, holders, cancellationToken);
                }

                return true;
            case ActivationOutcome.NotYetStarted or ActivationOutcome.EngagementEnded:
                await OrderWorkflow.StartIfMissingAsync(starter.Client, order, workflow.Value, cancellationToken);
                return false;
            default:
                return false;
        }
    }

    private static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Parallelism };

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Policy orders activated together: {Activated} of {Count}")]
    private static partial void LogBatch(ILogger logger, int count, int activated);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Policy order {OrderId} failed in its batch and goes on in a workflow of its own")]
    private static partial void LogHandedOver(ILogger logger, Exception exception, string orderId);
}
