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
    public async Task<IReadOnlyList<ApprovalItem>> ForAsync(Caller caller, CancellationToken cancellationToken)
    {
        List<ApprovalItem> items = [];
        foreach (var (approver, asDelegateOf) in new[] { (caller.HsaId, (string?)null) }.Concat(caller.DelegatedManagers.Select(m => (m, (string?)m))))
        {
            var forManager = asDelegateOf is null ? null : (await names.OfAsync(caller.Reader, asDelegateOf, cancellationToken)).HsaId;
            foreach (var item in await requests.PendingForAsync(approver, cancellationToken))
            {
                // The list is an index; what it points at decides. Items decided or expired meanwhile are dropped
                // here, so no path that ends an approval has to remember to clean it.
                var order = item.Kind == "Order" ? await orders.GetAsync(item.Id, cancellationToken) : null;
                var stillWaiting = item.Kind == "Order"
                    ? order is { Status: OrderStatus.PendingApproval, Approval: null }
                    : (await requests.GetAsync(item.SubjectId, item.Id, cancellationToken)) is { Status: AccessRequestStatus.PendingApproval };
                if (!stillWaiting)
                {
                    await requests.RemovePendingAsync(approver, item.Kind, item.Id, cancellationToken);
                    continue;
                }

                // A delegate decides orderer-role orders for the manager, never an AMU group's; nobody decides their own (R14).
                if (!SeparationOfDuties.MayDecide(caller.HsaId, item.SubjectId) || (asDelegateOf is not null && item.Kind == nameof(AccessRequestKind.AmuMembership)))
                {
                    continue;
                }

                var subject = await names.OfAsync(caller.Reader, item.SubjectId, cancellationToken);
                items.Add(new ApprovalItem(item.Kind, item.Id, subject.HsaId, order is null ? item.Summary : OrderEmails.ApprovalSummary(order, subject),
                    item.RequestedAt, forManager, subject.Name));
            }
        }

        return items.OrderBy(i => i.RequestedAt).ToList();
    }
}
