using Behorighetsportal.Audit;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Requests;

/// <summary>What became of a decision on an orderer-role order or AMU application.</summary>
public sealed record AccessApprovalResult(AccessRequest Current, bool Recorded, bool Delivered, bool RepeatOfOwn);

/// <summary>
/// Records the approver's decision on an orderer-role order or AMU application and hands it to its workflow: one step
/// for the emailed link and the approvals page. Who may decide is checked by the caller of this step.
/// </summary>
public sealed class AccessApprovals(AccessRequestRepository requests, AuditLog audit, TimeProvider clock, ILogger<AccessApprovals> logger)
{
    public async Task<AccessApprovalResult> DecideAsync(
        Caller caller, AccessRequest access, DecisionOutcome outcome, string? reason, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var onBehalfOf = caller.HsaId == access.ApproverId ? null : access.ApproverId;
        var (current, recorded) = await requests.DecideAsync(access.SubjectId, access.RequestId, new Decision(outcome, caller.HsaId, clock.GetUtcNow(), onBehalfOf), cancellationToken);
        if (recorded)
        {
            var detail = string.Join(", ", new[] { onBehalfOf is null ? null : "som delegat för " + onBehalfOf, reason is null ? null : "motivering: " + reason }.OfType<string>());
            await audit.AppendAsync(new AuditEntry(access.RequestId, current.Approval!.At, outcome == DecisionOutcome.Approved ? "ApprovalGiven" : "ApprovalRefused",
                caller.HsaId, detail.Length == 0 ? null : detail), cancellationToken);
        }

        var delivered = current.Approval is not { By: var by } || by != caller.HsaId || await DurableSignals.TryRaiseAsync(
            durable, access.RequestId, AccessRequestEvents.Decided, new DecisionEvent(current.Approval.Outcome, by), logger, cancellationToken);

        // The caller's own decision sent again (the repeat a 503 asks for) was raised again above; until the request
        // moves past that decision it is answered as the first one, not as a used link.
        var repeatOfOwn = current is { Status: AccessRequestStatus.Approved or AccessRequestStatus.Rejected, Approval: { } held }
            && held.By == caller.HsaId && held.Outcome == outcome;
        return new AccessApprovalResult(current, recorded, delivered, repeatOfOwn);
    }
}
