using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Requests;

public enum AccessRequestStart
{
    Started,

    /// <summary>An identical request got there first (its claims are held); nothing is stored.</summary>
    AlreadyRequested,

    /// <summary>Stored, but its lifecycle could not be started: the request is Failed and its claims are released.</summary>
    Failed,
}

/// <summary>Stores a validated request, audits it and starts its lifecycle; shared by orderer-role orders and AMU applications.</summary>
public sealed partial class AccessRequestStarter(
    AccessRequestRepository requests, AuditLog audit, IOptions<WorkflowOptions> workflow, TimeProvider clock, ILogger<AccessRequestStarter> logger)
{
    public async Task<AccessRequestStart> StartAsync(AccessRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (!await requests.CreateAsync(request, cancellationToken))
        {
            return AccessRequestStart.AlreadyRequested;
        }

        try
        {
            await audit.AppendAsync(new AuditEntry(request.RequestId, request.CreatedAt, "Requested", request.RequestedBy,
                $"{request.Kind} {string.Join(", ", request.Resources)} för {request.SubjectId}"), cancellationToken);
            var input = new AccessRequestLifecycleInput(
                request.SubjectId, request.RequestId, request.Status == AccessRequestStatus.PendingApproval, workflow.Value.ApprovalExpiresAfter,
                request.ValidFrom is { } from ? StockholmTime.StartOfDayUtc(from) : null,
                request.ValidTo is { } to ? StockholmTime.EndOfDayUtc(to) : null);
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(AccessRequestLifecycleOrchestrator), input,
                new StartOrchestrationOptions(request.RequestId), cancellationToken);
            return AccessRequestStart.Started;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Stored with nothing to move it on, its claims would refuse every later request for the same units or group
            // (409 for ever). A lifecycle that started after all finds the request Failed and does nothing.
            LogStartFailed(logger, e, request.RequestId);
            var (failed, _) = await requests.MoveToAsync(request.SubjectId, request.RequestId, AccessRequestStatus.Failed, CancellationToken.None);
            await requests.ReleaseClaimsAsync(failed, CancellationToken.None);
            await audit.AppendAsync(new AuditEntry(request.RequestId, clock.GetUtcNow(), "StartFailed", "system"), CancellationToken.None);
            return AccessRequestStart.Failed;
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Request {RequestId}: the lifecycle could not be started; the request is marked Failed and its claims released")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string requestId);
}
