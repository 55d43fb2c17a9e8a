using System.Collections.Concurrent;
using Behorighetsportal.Amu;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;

namespace Behorighetsportal.Approvals;

/// <summary>
/// What waits for the caller's decision — orders, orderer-role orders and AMU applications, as manager, group owner or
/// delegate of a manager — for <c>GET /api/me/approvals</c> and the approvals page alike. What is listed here is what
/// the caller may decide (R2, R8, R14), named as the caller may see it (R10).
/// </summary>
public sealed class ApprovalQueue(AccessRequestRepository requests, OrderRepository orders, PersonNames names)
{
    /// <summary>
    /// Reads in flight at once for one queue. Each listed item costs two point reads (what it points at, and the name
    /// of the person it is about); one after the other, a manager's 200 items were 400 storage round trips in a row
    /// (about 1.5 s on Azurite with the region loaded). Point reads wait on storage's latency, not on this process.
    /// </summary>
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<ApprovalItem>> ForAsync(Caller caller, CancellationToken cancellationToken)
    {
        // One read per person named, however many of their items are listed (and for each role the caller holds).
        var named = new ConcurrentDictionary<string, Task<PersonName>>(StringComparer.Ordinal);
        Task<PersonName> NameOf(string hsaId) => named.GetOrAdd(hsaId, id => names.OfAsync(caller.Reader, id, cancellationToken));

        List<ApprovalItem> items = [];
        foreach (var (approver, asDelegateOf) in new[] { (caller.HsaId, (string?)null) }.Concat(caller.DelegatedManagers.Select(m => (m, (string?)m))))
        {
            var forManager = asDelegateOf is null ? null : (await NameOf(asDelegateOf)).HsaId;
            var pending = await requests.PendingForAsync(approver, cancellationToken);
            var listed = new ApprovalItem?[pending.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, pending.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (i, token) => listed[i] = await ListAsync(caller, approver, asDelegateOf, forManager, pending[i], NameOf, token));
            items.AddRange(listed.OfType<ApprovalItem>());
        }

        return items.OrderBy(i => i.RequestedAt).ToList();
    }

    /// <summary>The item as listed for the caller, or null when it no longer waits (and is dropped from the index) or is not theirs to decide.</summary>
    private async Task<ApprovalItem?> ListAsync(
        Caller caller, string approver, string? asDelegateOf, string? forManager, PendingApproval item, Func<string, Task<PersonName>> nameOf,
        CancellationToken cancellationToken)
    {
        // The name is asked for beside what the item points at: both are point reads, and most items are listed.
        var subjectName = nameOf(item.SubjectId);

        // The list is an index; what it points at decides. Items decided or expired meanwhile are dropped
        // here, so no path that ends an approval has to remember to clean it.
        var order = item.Kind == "Order" ? await orders.GetAsync(item.Id, cancellationToken) : null;
        var stillWaiting = item.Kind == "Order"
            ? order is { Status: OrderStatus.PendingApproval, Approval: null }
            : (await requests.GetAsync(item.SubjectId, item.Id, cancellationToken)) is { Status: AccessRequestStatus.PendingApproval };
        if (!stillWaiting)
        {
            await requests.RemovePendingAsync(approver, item.Kind, item.Id, cancellationToken);
            return null;
        }

        // A delegate decides orderer-role orders for the manager, never an AMU group's; nobody decides their own (R14).
        if (!SeparationOfDuties.MayDecide(caller.HsaId, item.SubjectId) || (asDelegateOf is not null && item.Kind == nameof(AccessRequestKind.AmuMembership)))
        {
            return null;
        }

        var subject = await subjectName;
        return new ApprovalItem(item.Kind, item.Id, subject.HsaId, order is null ? item.Summary : OrderEmails.ApprovalSummary(order, subject),
            item.RequestedAt, forManager, subject.Name);
    }
}
