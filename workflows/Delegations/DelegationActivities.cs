using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Http;
using Behorighetsportal.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Delegations;

public sealed record DelegationStep(string DelegationId, string ManagerId, DelegationStatus Status, DateTime At);

/// <summary>Makes the delegation active on its first day and tells the delegate what they may now do.</summary>
public sealed class StartDelegationActivity(
    DelegationRepository delegations, CallerResolver callers, PersonNames names, AuditLog audit, IEmailSender email, OneTimeActions once, TimeProvider clock,
    ILogger<StartDelegationActivity> logger)
    : TaskActivity<DelegationStep, DelegationStatus>
{
    public override async Task<DelegationStatus> RunAsync(TaskActivityContext context, DelegationStep input)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc));
        var (delegation, _) = await delegations.MoveToAsync(input.ManagerId, input.DelegationId, DelegationStatus.Active, by: null, at);
        if (delegation.Status != DelegationStatus.Active)
        {
            return delegation.Status;
        }

        await audit.AppendAsync(new AuditEntry(delegation.DelegationId, at, "Started", "system", $"{delegation.DelegateId} är delegat för {delegation.ManagerId}"));
        if (await callers.ResolveAsync(delegation.DelegateId, CancellationToken.None) is { } reader)
        {
            var deputy = reader.Person.Identity;
            await once.RunOnceAsync(delegation.DelegationId, "start-email", clock.GetUtcNow(), async () =>
            {
                await email.SendAsync(DelegationEmails.Started(deputy, await names.OfAsync(reader.Reader, delegation.ManagerId), delegation));
                await audit.AppendAsync(new AuditEntry(delegation.DelegationId, clock.GetUtcNow(), "StartEmailSent", "system", "Till " + deputy.HsaId));
            });
        }

        DelegationLog.Started(logger, delegation.DelegationId);
        return delegation.Status;
    }
}

/// <summary>Ends the delegation after its last day: every right it gave stops at once.</summary>
public sealed class EndDelegationActivity(DelegationRepository delegations, AuditLog audit, ILogger<EndDelegationActivity> logger)
    : TaskActivity<DelegationStep, DelegationStatus>
{
    public override async Task<DelegationStatus> RunAsync(TaskActivityContext context, DelegationStep input)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(input.At, DateTimeKind.Utc));
        var (delegation, changed) = await delegations.MoveToAsync(input.ManagerId, input.DelegationId, DelegationStatus.Ended, by: null, at);
        if (changed)
        {
            await audit.AppendAsync(new AuditEntry(delegation.DelegationId, at, "Ended", "system"));
            DelegationLog.Ended(logger, delegation.DelegationId);
        }

        return delegation.Status;
    }
}

internal static partial class DelegationLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Delegation {DelegationId} made by {ManagerId}, {ValidFrom} to {ValidTo}")]
    public static partial void Created(ILogger logger, string delegationId, string managerId, DateOnly validFrom, DateOnly validTo);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Delegation {DelegationId} is active")]
    public static partial void Started(ILogger logger, string delegationId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Delegation {DelegationId} ended")]
    public static partial void Ended(ILogger logger, string delegationId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Delegation {DelegationId} revoked by {ManagerId}")]
    public static partial void Revoked(ILogger logger, string delegationId, string managerId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Delegation {DelegationId}: the lifecycle could not be started; the delegation is revoked")]
    public static partial void StartFailed(ILogger logger, Exception exception, string delegationId);
}
