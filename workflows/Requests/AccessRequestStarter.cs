using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Requests;

/// <summary>Stores a validated request, audits it and starts its lifecycle; shared by orderer-role orders and AMU applications.</summary>
public sealed class AccessRequestStarter(AccessRequestRepository requests, AuditLog audit, IOptions<WorkflowOptions> workflow)
{
    /// <summary>False when an identical request got there first (its claims are held); nothing is stored then.</summary>
    public async Task<bool> StartAsync(AccessRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (!await requests.CreateAsync(request, cancellationToken))
        {
            return false;
        }

        await audit.AppendAsync(new AuditEntry(request.RequestId, request.CreatedAt, "Requested", request.RequestedBy,
            $"{request.Kind} {string.Join(", ", request.Resources)} för {request.SubjectId}"), cancellationToken);
        var input = new AccessRequestLifecycleInput(
            request.SubjectId, request.RequestId, request.Status == AccessRequestStatus.PendingApproval, workflow.Value.ApprovalExpiresAfter,
            request.ValidFrom is { } from ? StockholmTime.StartOfDayUtc(from) : null,
            request.ValidTo is { } to ? StockholmTime.StartOfDayUtc(to.AddDays(1)) : null);
        await durable.ScheduleNewOrchestrationInstanceAsync(nameof(AccessRequestLifecycleOrchestrator), input,
            new StartOrchestrationOptions(request.RequestId), cancellationToken);
        return true;
    }
}
