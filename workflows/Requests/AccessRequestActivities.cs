using Behorighetsportal.Amu;
using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Requests;

// The side effects of AccessRequestLifecycleOrchestrator, in the order it meets them; each safe to repeat.

/// <summary>
/// Emails the approver(s) a signed link of their own — for the orderer role the person's nearest line manager and
/// that manager's active delegates, for an AMU group its owner (or, when the owner applies, their line manager) — and
/// lists the request under their approvals. Never the person the request is about (R14); every person an email names
/// is named as its recipient may see them (R10).
/// </summary>
public sealed class RequestAccessApprovalActivity(
    AccessRequestRepository requests, AccessRequestTexts texts, CallerResolver callers, PersonNames names, DirectoryRepository directory, AuditLog audit,
    IEmailSender email, OneTimeActions once, LinkSigner links, IOptions<PortalOptions> portal, TimeProvider clock)
    : TaskActivity<AccessRequestRef, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, AccessRequestRef input)
    {
        var request = await requests.GetAsync(input.SubjectId, input.RequestId) ?? throw new InvalidOperationException($"Request {input.RequestId} not found.");
        if (request.Status != AccessRequestStatus.PendingApproval || request.ApproverId is null)
        {
            return false;
        }

        var subject = await directory.GetPersonAsync(request.SubjectId) ?? throw new InvalidOperationException($"Request {request.RequestId}: person not in the directory.");
        var approver = await directory.GetIdentityAsync(request.ApproverId) ?? throw new InvalidOperationException($"Request {request.RequestId}: approver not in the directory.");
        var summary = await texts.SummaryAsync(request);
        await requests.AddPendingAsync(new PendingApproval(approver.HsaId, request.Kind.ToString(), request.RequestId, request.SubjectId, summary, request.CreatedAt));

        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(input.ExpiresAtUtc!.Value, DateTimeKind.Utc));
        var holders = request.Kind == AccessRequestKind.OrdererRole
            ? await callers.ApproversAsync(approver.HsaId, request.SubjectId, CancellationToken.None)
            : SeparationOfDuties.Askable([(HsaId: approver.HsaId, AsDelegate: false)], h => h.HsaId, request.SubjectId);
        var sent = false;
        foreach (var (holderId, asDelegate) in holders)
        {
            if (await callers.ResolveAsync(holderId, CancellationToken.None) is not { } holder)
            {
                continue;
            }

            var recipient = holder.Person.Identity;
            sent |= await once.RunOnceAsync(request.RequestId, "approval-request|" + holderId, clock.GetUtcNow(), async () =>
            {
                var token = links.Sign(new LinkToken(LinkPurpose.AccessApproval, request.SubjectId + "|" + request.RequestId, recipient.HsaId, expiresAt));
                var onBehalfOf = asDelegate ? await names.OfAsync(holder.Reader, approver.HsaId) : null;
                await email.SendAsync(AccessRequestEmails.ApprovalRequest(recipient, texts.ApproverRole(request, onBehalfOf), PersonNames.Of(holder.Reader, subject),
                    request, summary, portal.Value.Link("/api/approvals/" + token), expiresAt));
                await audit.AppendAsync(new AuditEntry(request.RequestId, clock.GetUtcNow(), "ApprovalRequested", "system",
                    "Till " + recipient.HsaId + (asDelegate ? " som delegat för " + approver.HsaId : "")));
            });
        }

        return sent;
    }
}

/// <summary>
/// Settles the approval once the decision event came or the deadline passed: a stored decision holds; without one
/// the request expires. Removes it from the approvers' lists and tells the person when it was not approved.
/// </summary>
public sealed class CloseAccessApprovalActivity(
    AccessRequestRepository requests, AccessRequestTexts texts, DirectoryRepository directory, AuditLog audit, IEmailSender email, OneTimeActions once,
    TimeProvider clock)
    : TaskActivity<AccessRequestRef, AccessRequestStatus>
{
    public override async Task<AccessRequestStatus> RunAsync(TaskActivityContext context, AccessRequestRef input)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc));
        var (request, expiredNow) = await requests.DecideAsync(input.SubjectId, input.RequestId, new Decision(DecisionOutcome.Expired, "system", at));
        if (expiredNow)
        {
            await audit.AppendAsync(new AuditEntry(request.RequestId, at, "ApprovalExpired", "system"));
        }

        if (request.ApproverId is not null)
        {
            await requests.RemovePendingAsync(request.ApproverId, request.Kind.ToString(), request.RequestId);
        }

        if (request.Status is AccessRequestStatus.Rejected or AccessRequestStatus.Expired)
        {
            await requests.ReleaseClaimsAsync(request);
        }

        if (request.Status is AccessRequestStatus.Rejected or AccessRequestStatus.Expired
            && await directory.GetIdentityAsync(request.SubjectId) is { } subject)
        {
            var summary = await texts.SummaryAsync(request);
            await once.RunOnceAsync(request.RequestId, "outcome-notice", clock.GetUtcNow(),
                () => email.SendAsync(AccessRequestEmails.NotApproved(subject, request, summary)));
        }

        return request.Status;
    }
}

/// <summary>Grants the orderer role (adding only units not already held) or the AMU membership (R9, R11).</summary>
public sealed class GrantAccessActivity(AccessRequestRepository requests, DirectoryRepository directory, AuditLog audit)
    : TaskActivity<AccessRequestRef, AccessRequestStatus>
{
    public override async Task<AccessRequestStatus> RunAsync(TaskActivityContext context, AccessRequestRef input)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc));
        var request = await requests.GetAsync(input.SubjectId, input.RequestId) ?? throw new InvalidOperationException($"Request {input.RequestId} not found.");
        if (request.Status is not (AccessRequestStatus.Approved or AccessRequestStatus.Active))
        {
            return request.Status;
        }

        var approvedBy = request.Approval?.By ?? request.RequestedBy;
        if (request.Kind == AccessRequestKind.OrdererRole)
        {
            var tree = await directory.GetOrgTreeAsync();
            await directory.UpsertOrdererRoleAsync(new OrdererRole(
                request.RequestId, request.SubjectId, tree.AdministrationOf(request.Resources[0])!, request.Resources, request.ValidFrom, request.ValidTo));
        }
        else
        {
            foreach (var group in request.Resources)
            {
                await directory.UpsertMembershipAsync(new AmuMembership(request.SubjectId, group, request.RequestId, approvedBy, StockholmTime.DateOn(at)));
            }
        }

        var (current, _) = await requests.MoveToAsync(request.SubjectId, request.RequestId, AccessRequestStatus.Active);
        await audit.AppendAsync(new AuditEntry(request.RequestId, at, "Granted", "system",
            $"{request.Kind} {string.Join(", ", request.Resources)} till {request.SubjectId}, godkänt av {approvedBy}"));
        return current.Status;
    }
}

/// <summary>Ends a temporary orderer role after its last day; its validity already stops it being used.</summary>
public sealed class EndAccessActivity(AccessRequestRepository requests, AuditLog audit) : TaskActivity<AccessRequestRef, AccessRequestStatus>
{
    public override async Task<AccessRequestStatus> RunAsync(TaskActivityContext context, AccessRequestRef input)
    {
        var (request, changed) = await requests.MoveToAsync(input.SubjectId, input.RequestId, AccessRequestStatus.Ended);
        await requests.ReleaseClaimsAsync(request);
        if (changed)
        {
            await audit.AppendAsync(new AuditEntry(request.RequestId, new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc)), "Ended", "system"));
        }

        return request.Status;
    }
}
