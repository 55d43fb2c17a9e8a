using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Requests;

/// <summary>One item waiting for someone's approval, for GET /api/me/approvals.</summary>
public sealed record PendingApproval(string ApproverId, string Kind, string Id, string SubjectId, string Summary, DateTimeOffset RequestedAt);

/// <summary>
/// Access requests (PK = the person they are for, so "what has this person asked for" is one query) and the index
/// of what waits for whose approval (PK = approver). Decisions are ETag-conditional: the first one wins.
/// </summary>
public sealed class AccessRequestRepository(StorageAccount storage)
{
    private TableClient Requests => storage.Table(TableNames.Requests);

    private TableClient Pending => storage.Table(TableNames.PendingApprovals);

    /// <summary>
    /// Stores a request together with a claim per resource (unit or group), in one transaction in the person's
    /// partition: of two identical requests sent at once, one is stored and the other finds the claims. False then.
    /// Claims are released when the request ends without the resource being held.
    /// </summary>
    public async Task<bool> CreateAsync(AccessRequest request, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, ToEntity(request))];
        actions.AddRange(request.Resources.Select(resource => new TableTransactionAction(TableTransactionActionType.Add,
            new TableEntity(request.SubjectId, ClaimKey(request.Kind, resource)) { ["RequestId"] = request.RequestId })));
        try
        {
            await Requests.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Frees the request's claims (it was rejected, expired, has ended or failed to start), so the resource can be asked for again.</summary>
    public async Task ReleaseClaimsAsync(AccessRequest request, CancellationToken cancellationToken = default)
    {
        foreach (var resource in request.Resources)
        {
            var claim = await Requests.GetEntityIfExistsAsync<TableEntity>(request.SubjectId, ClaimKey(request.Kind, resource), cancellationToken: cancellationToken);
            if (claim.HasValue && claim.Value!.GetString("RequestId") == request.RequestId)
            {
                await Requests.DeleteEntityAsync(request.SubjectId, claim.Value.RowKey, claim.Value.ETag, cancellationToken);
            }
        }
    }

    private static string ClaimKey(AccessRequestKind kind, string resource) => $"claim|{kind}|{resource}";

    public async Task<AccessRequest?> GetAsync(string subjectId, string requestId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await Requests.GetEntityIfExistsAsync<TableEntity>(subjectId, requestId, cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    public async Task<IReadOnlyList<AccessRequest>> ListForAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<AccessRequest> result = [];
        await foreach (var row in Requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {subjectId}"), cancellationToken: cancellationToken))
        {
            if (!row.RowKey.StartsWith("claim|", StringComparison.Ordinal))
            {
                result.Add(Read(row));
            }
        }

        return result;
    }

    /// <summary>Records the approver's decision unless one is recorded already; returns the request as it stands.</summary>
    public Task<(AccessRequest Request, bool Recorded)> DecideAsync(string subjectId, string requestId, Decision decision, CancellationToken cancellationToken = default) =>
        UpdateAsync(subjectId, requestId, r => r.Approval is null && r.Status == AccessRequestStatus.PendingApproval
            ? r with { Approval = decision, Status = decision.Approved ? AccessRequestStatus.Approved : decision.Outcome == DecisionOutcome.Rejected ? AccessRequestStatus.Rejected : AccessRequestStatus.Expired }
            : null, cancellationToken);

    public Task<(AccessRequest Request, bool Recorded)> MoveToAsync(string subjectId, string requestId, AccessRequestStatus status, CancellationToken cancellationToken = default) =>
        UpdateAsync(subjectId, requestId, r => r.Status == status || r.Status is AccessRequestStatus.Rejected or AccessRequestStatus.Expired or AccessRequestStatus.Ended or AccessRequestStatus.Failed
            ? null
            : r with { Status = status }, cancellationToken);

    public async Task AddPendingAsync(PendingApproval item, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await Pending.UpsertEntityAsync(new TableEntity(item.ApproverId, item.Kind + "|" + item.Id)
        {
            ["SubjectId"] = item.SubjectId,
            ["Summary"] = item.Summary,
            ["RequestedAt"] = item.RequestedAt,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RemovePendingAsync(string approverId, string kind, string id, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        try
        {
            await Pending.DeleteEntityAsync(approverId, kind + "|" + id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task<IReadOnlyList<PendingApproval>> PendingForAsync(string approverId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        List<PendingApproval> result = [];
        await foreach (var row in Pending.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {approverId}"), cancellationToken: cancellationToken))
        {
            var split = row.RowKey.IndexOf('|', StringComparison.Ordinal);
            result.Add(new PendingApproval(approverId, row.RowKey[..split], row.RowKey[(split + 1)..], row.GetString("SubjectId"),
                row.GetString("Summary"), row.GetDateTimeOffset("RequestedAt") ?? default));
        }

        return result;
    }

    private async Task<(AccessRequest Request, bool Recorded)> UpdateAsync(
        string subjectId, string requestId, Func<AccessRequest, AccessRequest?> change, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        return await ConditionalUpdate.ApplyAsync(Requests, subjectId, requestId, Read, ToEntity, change, cancellationToken);
    }

    private static TableEntity ToEntity(AccessRequest r)
    {
        var entity = new TableEntity(r.SubjectId, r.RequestId)
        {
            ["Kind"] = r.Kind.ToString(),
            ["RequestedBy"] = r.RequestedBy,
            ["ApproverId"] = r.ApproverId,
            ["Resources"] = string.Join(',', r.Resources),
            ["ValidFrom"] = DirectoryRepository.Format(r.ValidFrom),
            ["ValidTo"] = DirectoryRepository.Format(r.ValidTo),
            ["Motivation"] = r.Motivation,
            ["Status"] = r.Status.ToString(),
            ["CreatedAt"] = r.CreatedAt,
        };
        if (r.Approval is { } d)
        {
            entity["ApprovalOutcome"] = d.Outcome.ToString();
            entity["ApprovalBy"] = d.By;
            entity["ApprovalAt"] = d.At;
            entity["ApprovalReference"] = d.Reference;
        }

        return entity;
    }

    private static AccessRequest Read(TableEntity row) => new(
        row.RowKey,
        Enum.Parse<AccessRequestKind>(row.GetString("Kind")),
        row.PartitionKey,
        row.GetString("RequestedBy"),
        row.GetString("ApproverId"),
        row.GetString("Resources").Split(',', StringSplitOptions.RemoveEmptyEntries),
        DirectoryRepository.ParseDate(row.GetString("ValidFrom")),
        DirectoryRepository.ParseDate(row.GetString("ValidTo")),
        row.GetString("Motivation"),
        Enum.Parse<AccessRequestStatus>(row.GetString("Status")),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetString("ApprovalOutcome") is { } outcome
            ? new Decision(Enum.Parse<DecisionOutcome>(outcome), row.GetString("ApprovalBy"), row.GetDateTimeOffset("ApprovalAt") ?? default, row.GetString("ApprovalReference"))
            : null);
}
