using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Orders;

public enum PlaceResult
{
    Placed,

    /// <summary>Another order for the same engagement is still in progress.</summary>
    EngagementBusy,
}

/// <summary>
/// Orders in the Orders table (PK = order id). Two writers can meet on an order — a person deciding from an
/// email link and the orchestrator moving on — so every change is an ETag-conditional update that re-reads and
/// retries, and "first decision wins" is a property of storage, not of timing.
/// </summary>
public sealed class OrderRepository(StorageAccount storage, OrderIndex index)
{
    private const string OrderRow = "order";
    private const string ClaimPrefix = "activeorder|";
    private const string HistoryEnd = "history}";
    private static readonly TimeSpan AbandonedClaimAfter = TimeSpan.FromMinutes(2);

    // The row each order instance handed out was read from, so a change to an order just read can skip reading it
    // again (see the overloads taking an Order). Weak: it lives exactly as long as the caller keeps the order.
    private readonly ConditionalWeakTable<Order, TableEntity> _readAs = new();

    private TableClient Orders => storage.Table(TableNames.Orders);

    /// <summary>
    /// Stores a new order with its first history entry and claims its engagement, so that a second order for the
    /// same engagement gets a conflict instead of racing the first. The claim lives in the identity's partition.
    /// </summary>
    public Task<PlaceResult> PlaceAsync(Order order, AuditEntry placed, CancellationToken cancellationToken = default) =>
        PlaceCoreAsync(order, placed, cancellationToken);

    public Task<PlaceResult> PlaceAsync(Order order, CancellationToken cancellationToken = default) =>
        PlaceCoreAsync(order, null, cancellationToken);

    private async Task<PlaceResult> PlaceCoreAsync(Order order, AuditEntry? placed, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var identities = storage.Table(TableNames.Identities);
        var claim = new TableEntity(order.IdentityId, ClaimPrefix + order.EngagementId) { ["OrderId"] = order.OrderId, ["ClaimedAt"] = order.PlacedAt };
        try
        {
            await identities.AddEntityAsync(claim, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // A claim whose order has finished is stale; so is one whose order was never written, once the
            // placing request has had time to write it (it died in between). Take a stale claim over, conditionally.
            var existing = await identities.GetEntityAsync<TableEntity>(order.IdentityId, claim.RowKey, cancellationToken: cancellationToken);
            var holder = await GetAsync(existing.Value.GetString("OrderId"), cancellationToken);
            var abandoned = holder is null && existing.Value.GetDateTimeOffset("ClaimedAt") is { } claimedAt && claimedAt < order.PlacedAt - AbandonedClaimAfter;
            if (holder is null ? !abandoned : !holder.Status.IsFinal())
            {
                return PlaceResult.EngagementBusy;
            }

            try
            {
                await identities.UpdateEntityAsync(claim, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException conflict) when (conflict.Status == 412)
            {
                return PlaceResult.EngagementBusy;
            }
        }

        if (order.OrderId.StartsWith(OrderIds.ManualPrefix, StringComparison.Ordinal))
        {
            // Orders a person placed are listed for the people party to them; policy orders are many and placed by
            // no one, and are seen on the person's own page instead.
            await index.AddAsync(order, cancellationToken);
        }

        List<TableTransactionAction> rows = [new(TableTransactionActionType.Add, ToEntity(order))];
        if (placed is not null)
        {
            rows.Add(new(TableTransactionActionType.Add, AuditLog.ToEntity(placed)));
        }

        await Orders.SubmitTransactionAsync(rows, cancellationToken);
        return PlaceResult.Placed;
    }

    public async Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Orders.GetEntityIfExistsAsync<TableEntity>(orderId, OrderRow, cancellationToken: cancellationToken);
        return row.HasValue ? Remember(Read(row.Value!), row.Value!) : null;
    }

    /// <summary>
    /// Orders not yet final that were placed before <paramref name="placedBefore"/>: a query across the whole table,
    /// for the night's run only.
    /// </summary>
    public async IAsyncEnumerable<Order> ListUnfinishedAsync(DateTimeOffset placedBefore, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {OrderRow} and PlacedAt lt {placedBefore}")
            + string.Concat(Enum.GetValues<OrderStatus>().Where(s => s.IsFinal()).Select(s => TableClient.CreateQueryFilter($" and Status ne {s.ToString()}")));
        await foreach (var row in Orders.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return Read(row);
        }
    }

    /// <summary>The order and its history, oldest first, in one query of the order's partition.</summary>
    public async Task<(Order Order, IReadOnlyList<AuditEntry> History)?> GetWithHistoryAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        Order? order = null;
        List<AuditEntry> history = [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orderId} and (RowKey eq {OrderRow} or (RowKey ge {AuditLog.HistoryPrefix} and RowKey lt {HistoryEnd}))");
        await foreach (var row in Orders.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey == OrderRow)
            {
                order = Remember(Read(row), row);
            }
            else if (AuditLog.IsHistory(row))
            {
                history.Add(AuditLog.FromEntity(row));
            }
        }

        return order is null ? null : (order, history);
    }

    // Each change below may carry the history entry that tells of it: both are written in one transaction, or
    // neither, so a retried step finds its history written exactly when it finds the step stored.

    /// <summary>Records the approver's decision unless one is recorded already; returns the decision that holds.</summary>
    public Task<(Order Order, bool Recorded)> DecideApprovalAsync(string orderId, Decision decision, CancellationToken cancellationToken = default) =>
        DecideApprovalAsync(orderId, decision, null, cancellationToken);

    public Task<(Order Order, bool Recorded)> DecideApprovalAsync(string orderId, Decision decision, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(orderId, Approve(decision), history, cancellationToken);

    public Task<(Order Order, bool Recorded)> DecideAttestationAsync(string orderId, Decision decision, CancellationToken cancellationToken = default) =>
        DecideAttestationAsync(orderId, decision, null, cancellationToken);

    public Task<(Order Order, bool Recorded)> DecideAttestationAsync(string orderId, Decision decision, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(orderId, Attest(decision), history, cancellationToken);

    /// <summary>Cancels an order that is not yet active.</summary>
    public Task<(Order Order, bool Recorded)> CancelAsync(string orderId, string by, CancellationToken cancellationToken = default) =>
        CancelAsync(orderId, by, null, cancellationToken);

    public Task<(Order Order, bool Recorded)> CancelAsync(string orderId, string by, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(orderId, order => order.Status.IsFinal() ? null : order with { Status = OrderStatus.Cancelled, CancelledBy = by }, history, cancellationToken);

    /// <summary>
    /// The decisions and moves below also take the order as the caller read it: unless it has changed since, the
    /// write needs no second read.
    /// </summary>
    public Task<(Order Order, bool Recorded)> DecideApprovalAsync(Order read, Decision decision, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(read.OrderId, Approve(decision), history, cancellationToken, read);

    public Task<(Order Order, bool Recorded)> DecideAttestationAsync(Order read, Decision decision, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(read.OrderId, Attest(decision), history, cancellationToken, read);

    public Task<(Order Order, bool Recorded)> MoveToAsync(Order read, OrderStatus status, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(read.OrderId, MoveTo(status), history, cancellationToken, read);

    /// <summary>Moves the order to a status, never out of a final one (a cancellation that won stays).</summary>
    public Task<(Order Order, bool Recorded)> MoveToAsync(string orderId, OrderStatus status, CancellationToken cancellationToken = default) =>
        MoveToAsync(orderId, status, null, cancellationToken);

    public Task<(Order Order, bool Recorded)> MoveToAsync(string orderId, OrderStatus status, AuditEntry? history, CancellationToken cancellationToken = default) =>
        UpdateAsync(orderId, MoveTo(status), history, cancellationToken);

    /// <summary>The order in progress for an engagement, if any.</summary>
    public async Task<Order?> InProgressForAsync(string hsaId, string engagementId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var claim = await storage.Table(TableNames.Identities).GetEntityIfExistsAsync<TableEntity>(hsaId, ClaimPrefix + engagementId, cancellationToken: cancellationToken);
        return claim.HasValue && await GetAsync(claim.Value!.GetString("OrderId"), cancellationToken) is { } order && !order.Status.IsFinal() ? order : null;
    }

    /// <summary>Frees the engagement for a new order once this one has finished.</summary>
    public async Task ReleaseClaimAsync(Order order, CancellationToken cancellationToken = default)
    {
        var identities = storage.Table(TableNames.Identities);
        var claim = await identities.GetEntityIfExistsAsync<TableEntity>(order.IdentityId, ClaimPrefix + order.EngagementId, cancellationToken: cancellationToken);
        if (claim.HasValue && claim.Value!.GetString("OrderId") == order.OrderId)
        {
            try
            {
                await identities.DeleteEntityAsync(order.IdentityId, claim.Value.RowKey, claim.Value.ETag, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Already released, or taken over by a newer order.
            }
        }
    }

    // The changes, shared by the overloads that read the order and those given it. Each returns null for "leave as
    // is"; all are monotonic (a decision once made stays, a status only moves on).
    private static Func<Order, Order?> Approve(Decision decision) => order =>
        order.Approval is null && order.Status == OrderStatus.PendingApproval ? order with { Approval = decision } : null;

    private static Func<Order, Order?> Attest(Decision decision) => order =>
        order.Attestation is null && order.Status == OrderStatus.PendingAttestation ? order with { Attestation = decision } : null;

    private static Func<Order, Order?> MoveTo(OrderStatus status) => order =>
        order.Status.IsFinal() || order.Status == status ? null : order with { Status = status };

    private async Task<(Order Order, bool Recorded)> UpdateAsync(
        string orderId, Func<Order, Order?> change, AuditEntry? history, CancellationToken cancellationToken, Order? read = null)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var known = read is not null && _readAs.TryGetValue(read, out var row) ? row : null;
        var (order, recorded) = await ConditionalUpdate.ApplyAsync(Orders, orderId, OrderRow, Read, ToEntity, change, cancellationToken,
            history is null ? null : AuditLog.ToEntity(history), known);
        return (order, recorded);
    }

    /// <summary>Keeps the row an order was read from (with its ETag) for as long as the caller holds the order.</summary>
    private Order Remember(Order order, TableEntity row)
    {
        _readAs.AddOrUpdate(order, row);
        return order;
    }

    private static TableEntity ToEntity(Order order)
    {
        var entity = new TableEntity(order.OrderId, OrderRow)
        {
            ["IdentityId"] = order.IdentityId,
            ["EngagementId"] = order.EngagementId,
            ["Level"] = order.Level,
            ["StartDate"] = DirectoryRepository.Format(order.StartDate),
            ["ActivationDate"] = DirectoryRepository.Format(order.ActivationDate),
            ["OrdererId"] = order.OrdererId,
            ["ApproverId"] = order.ApproverId,
            ["RequiresApproval"] = order.RequiresApproval,
            ["Comment"] = order.Comment,
            ["PlacedAt"] = order.PlacedAt,
            ["Status"] = order.Status.ToString(),
            ["CancelledBy"] = order.CancelledBy,
        };
        Write(entity, "Approval", order.Approval);
        Write(entity, "Attestation", order.Attestation);
        return entity;
    }

    private static Order Read(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("IdentityId"),
        row.GetString("EngagementId"),
        row.GetString("Level"),
        DirectoryRepository.ParseDate(row.GetString("StartDate"))!.Value,
        DirectoryRepository.ParseDate(row.GetString("ActivationDate"))!.Value,
        row.GetString("OrdererId"),
        row.GetString("ApproverId"),
        row.GetBoolean("RequiresApproval") ?? true,
        row.GetString("Comment"),
        row.GetDateTimeOffset("PlacedAt") ?? default,
        Enum.Parse<OrderStatus>(row.GetString("Status")),
        ReadDecision(row, "Approval"),
        ReadDecision(row, "Attestation"),
        row.GetString("CancelledBy"));

    private static void Write(TableEntity entity, string prefix, Decision? decision)
    {
        if (decision is null)
        {
            return;
        }

        entity[prefix + "Outcome"] = decision.Outcome.ToString();
        entity[prefix + "By"] = decision.By;
        entity[prefix + "At"] = decision.At;
        entity[prefix + "Reference"] = decision.Reference;
    }

    private static Decision? ReadDecision(TableEntity row, string prefix) =>
        row.GetString(prefix + "Outcome") is { } outcome
            ? new Decision(Enum.Parse<DecisionOutcome>(outcome), row.GetString(prefix + "By"), row.GetDateTimeOffset(prefix + "At") ?? default, row.GetString(prefix + "Reference"))
            : null;
}
