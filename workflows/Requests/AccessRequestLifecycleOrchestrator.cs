using Behorighetsportal.Durable;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;

namespace Behorighetsportal.Requests;

/// <summary>Instants are computed when the request is made (00:00 Europe/Stockholm of the dates).</summary>
public sealed record AccessRequestLifecycleInput(
    string SubjectId, string RequestId, bool RequiresApproval, TimeSpan ApprovalExpiresAfter, DateTime? StartsAtUtc, DateTime? EndsAtUtc);

public sealed record AccessRequestRef(string SubjectId, string RequestId, DateTime At, DateTime? ExpiresAtUtc = null);

public static class AccessRequestEvents
{
    public const string Decided = nameof(Decided);
}

/// <summary>
/// An orderer-role order or an AMU application, instance id = request id (R9, R11): approval by email link (unless
/// the approver placed it), then the grant — at once or on its first day — and, for a temporary role, its end
/// after the last day. Deterministic: context time and timers only; every read and write is an activity.
/// </summary>
public sealed class AccessRequestLifecycleOrchestrator : TaskOrchestrator<AccessRequestLifecycleInput, AccessRequestStatus>
{
    public override async Task<AccessRequestStatus> RunAsync(TaskOrchestrationContext context, AccessRequestLifecycleInput input)
    {
        if (input.RequiresApproval)
        {
            var deadline = context.CurrentUtcDateTime + input.ApprovalExpiresAfter;
            await context.CallActivityAsync(nameof(RequestAccessApprovalActivity),
                new AccessRequestRef(input.SubjectId, input.RequestId, context.CurrentUtcDateTime, deadline), ActivityRetry.Options);

            using var waiting = new CancellationTokenSource();
            var decided = context.WaitForExternalEvent<DecisionEvent>(AccessRequestEvents.Decided, waiting.Token);
            var expired = context.CreateTimer(deadline, waiting.Token);
            await Task.WhenAny(decided, expired);
            waiting.Cancel();

            // The decision is stored before its event is raised; on expiry the activity keeps one that raced in.
            var status = await context.CallActivityAsync<AccessRequestStatus>(nameof(CloseAccessApprovalActivity),
                new AccessRequestRef(input.SubjectId, input.RequestId, context.CurrentUtcDateTime), ActivityRetry.Options);
            if (status != AccessRequestStatus.Approved)
            {
                return status;
            }
        }

        if (input.StartsAtUtc is { } startsAt && startsAt > context.CurrentUtcDateTime)
        {
            await context.CreateTimer(startsAt, CancellationToken.None);
        }

        var granted = await context.CallActivityAsync<AccessRequestStatus>(nameof(GrantAccessActivity),
            new AccessRequestRef(input.SubjectId, input.RequestId, context.CurrentUtcDateTime), ActivityRetry.Options);
        if (granted != AccessRequestStatus.Active || input.EndsAtUtc is not { } endsAt)
        {
            return granted;
        }

        await context.CreateTimer(endsAt, CancellationToken.None);
        return await context.CallActivityAsync<AccessRequestStatus>(nameof(EndAccessActivity),
            new AccessRequestRef(input.SubjectId, input.RequestId, context.CurrentUtcDateTime), ActivityRetry.Options);
    }
}
