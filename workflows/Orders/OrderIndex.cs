using System.Globalization;
using Azure.Data.Tables;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Orders;

/// <summary>
/// The orders each person is a party to — as orderer, as the person the order is for, or as the approver it went
/// to — newest first, so "my orders" is one partition read of a small table instead of a scan of every order.
/// Rows point at orders; the order itself (and who may see it now) is always read from the Orders table.
/// </summary>
public sealed class OrderIndex(StorageAccount storage)
{
    private TableClient Table => storage.Table(TableNames.OrderIndex);

    /// <summary>Written before the order itself: a row whose order never got written is skipped by the reader.</summary>
    public async Task AddAsync(Order order, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var rowKey = RowKey(order.PlacedAt, order.OrderId);
        foreach (var party in new[] { order.OrdererId, order.IdentityId, order.ApproverId }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await Table.UpsertEntityAsync(new TableEntity(party, rowKey) { ["OrderId"] = order.OrderId }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>The ids of the newest orders <paramref name="hsaId"/> is a party to, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string hsaId, int max, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<string> ids = [];
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {hsaId}"), maxPerPage: max, select: ["OrderId"], cancellationToken: cancellationToken))
        {
            ids.Add(row.GetString("OrderId"));
            if (ids.Count == max)
            {
                break;
            }
        }

        return ids;
    }

    // Newest first: row keys sort ascending, so the key counts down from the end of time.
    private static string RowKey(DateTimeOffset placedAt, string orderId) =>
        (DateTimeOffset.MaxValue.UtcTicks - placedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + orderId;
}
