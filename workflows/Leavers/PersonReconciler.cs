using Behorighetsportal.Audit;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Orders;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Leavers;

/// <summary>
/// Movers and leavers: after KiV changes a person's engagements, the rights that depended on the old place are
/// re-evaluated the same day. A delegation holds only while its manager is still the delegate's nearest manager
/// (R8); an orderer role only while its holder still has an engagement in its administration (R9); a person
/// without any current engagement keeps neither.
/// </summary>
public sealed class PersonReconciler(
    DirectoryRepository directory, DelegationRepository delegations, AuditLog audit, OrchestrationStarter starter, TimeProvider clock,
    ILogger<PersonReconciler> logger)
{
    public async Task<int> ReconcileAsync(string hsaId, DateOnly today, CancellationToken cancellationToken = default)
    {
        var person = await directory.GetPersonAsync(hsaId, cancellationToken);
        if (person is null)
        {
            return 0;
        }

        var current = person.Engagements.Where(e => !e.HasEndedBy(today)).ToList();
        var ended = 0;

        // Received: the giver must still be this person's nearest manager.
        foreach (var d in await delegations.ListReceivedAsync(hsaId, cancellationToken))
        {
            if (d.Status is DelegationStatus.Scheduled or DelegationStatus.Active && !current.Any(e => e.ManagerHsaId == d.ManagerId))
            {
                ended += await EndDelegationAsync(d, "Delegaten har inte längre chefen som närmaste chef", cancellationToken);
            }
        }

        // Given: the delegate must still be one of this person's reports, and this person must still be employed.
        foreach (var d in await delegations.ListGivenAsync(hsaId, cancellationToken))
        {
            if (d.Status is not (DelegationStatus.Scheduled or DelegationStatus.Active))
            {
                continue;
            }

            var deputy = current.Count == 0 ? null : await directory.GetPersonAsync(d.DelegateId, cancellationToken);
            if (deputy is null || !deputy.Engagements.Any(e => !e.HasEndedBy(today) && e.ManagerHsaId == hsaId))
            {
                ended += await EndDelegationAsync(d, "Chefen är inte längre närmaste chef för delegaten", cancellationToken);
            }
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var administrations = current.Select(e => tree.AdministrationOf(e.OrgUnitId)).ToHashSet();
        foreach (var role in person.OrdererRoles.Where(r => (r.ValidTo is null || r.ValidTo >= today) && !administrations.Contains(r.Administration)))
        {
            await directory.UpsertOrdererRoleAsync(role with { ValidTo = today.AddDays(-1) }, cancellationToken);
            await audit.AppendAsync(new AuditEntry(role.RoleId, clock.GetUtcNow(), "OrdererRoleEnded", "KiV",
                "Innehavaren har inte längre något engagemang i förvaltningen " + role.Administration), cancellationToken);
            ended++;
        }

        return ended;
    }

    private async Task<int> EndDelegationAsync(Delegation delegation, string why, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (_, changed) = await delegations.MoveToAsync(delegation.ManagerId, delegation.DelegationId, DelegationStatus.Revoked, "KiV", now, cancellationToken);
        if (!changed)
        {
            return 0;
        }

        await audit.AppendAsync(new AuditEntry(delegation.DelegationId, now, "Revoked", "KiV", why), cancellationToken);
        // The rights are gone with the stored status; the event only ends the lifecycle's wait early.
        await DurableSignals.TryRaiseAsync(starter.Client, delegation.DelegationId, DelegationEvents.Revoked, "KiV", logger, cancellationToken);
        return 1;
    }
}
