using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;

namespace Behorighetsportal.Orders;

/// <summary>
/// Which orders a reader may see, for the JSON routes and the pages alike. An order is visible to its orderer, its
/// approver, the person it is for and whoever holds the engagement's manager role now (the manager or an active
/// delegate). For anyone else it does not exist — the same answer as an unknown id.
/// </summary>
public sealed class OrderQueries(OrderRepository orders, OrderIndex index, DirectoryRepository directory)
{
    public const int MaxListed = 100;

    /// <summary>
    /// Orders read at once for a list: each is a point read (and, for an order the reader is no party to, the person's
    /// partition), which waits on storage's latency. One after the other, a manager's 100 listed orders were 100 round
    /// trips in a row on every start page and order list.
    /// </summary>
    private const int Parallelism = 16;

    public async Task<Order?> FindVisibleAsync(Caller caller, string orderId, CancellationToken cancellationToken)
    {
        if (orderId.Length > 64)
        {
            return null;
        }

        var order = await orders.GetAsync(orderId, cancellationToken);
        return order is not null && await MaySeeAsync(caller, order, cancellationToken) ? order : null;
    }

    public async Task<(Order Order, IReadOnlyList<AuditEntry> History)?> FindVisibleWithHistoryAsync(Caller caller, string orderId, CancellationToken cancellationToken)
    {
        var found = orderId.Length <= 64 ? await orders.GetWithHistoryAsync(orderId, cancellationToken) : null;
        return found is { } stored && await MaySeeAsync(caller, stored.Order, cancellationToken) ? stored : null;
    }

    /// <summary>
    /// The newest orders the reader is a party to, and those of the managers whose role they hold as delegate, that
    /// they may see now; newest first.
    /// </summary>
    public async Task<IReadOnlyList<Order>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        HashSet<string> ids = [];
        foreach (var party in caller.DelegatedManagers.Prepend(caller.HsaId))
        {
            ids.UnionWith(await index.ListAsync(party, MaxListed, cancellationToken));
        }

        var listed = ids.ToList();
        var found = new Order?[listed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, listed.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) => found[i] = await FindVisibleAsync(caller, listed[i], token));

        return found.OfType<Order>().OrderByDescending(o => o.PlacedAt).Take(MaxListed).ToList();
    }

    public async Task<bool> MaySeeAsync(Caller caller, Order order, CancellationToken cancellationToken)
    {
        if (caller.HsaId == order.OrdererId || caller.HsaId == order.ApproverId || caller.HsaId == order.IdentityId)
        {
            return true;
        }

        var person = await directory.GetPersonAsync(order.IdentityId, cancellationToken);
        return caller.ActsAsManager(person?.FindEngagement(order.EngagementId)?.ManagerHsaId);
    }
}
