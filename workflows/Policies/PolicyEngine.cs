using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Policies;

/// <summary>
/// Evaluates assignment policies over engagements (R5) and carries out what they say: a gained or changed level
/// becomes an order that needs neither approval nor attestation, activated on the start date (R4) with the R6
/// password email; a lost policy-given user service is inactivated. Manual levels are never touched.
/// </summary>
public sealed class PolicyEngine(
    DirectoryRepository directory, OrderRepository orders, AuditLog audit, UserServiceActivation userServices,
    IOptions<WorkflowOptions> workflow, TimeProvider clock)
{
    /// <summary>The engagements at or below a unit, as (HSA-id, engagement id).</summary>
    public async Task<IReadOnlyList<(string HsaId, string EngagementId)>> EngagementsUnderAsync(string orgUnitId, OrgTree tree, CancellationToken cancellationToken)
    {
        List<(string, string)> result = [];
        foreach (var unit in tree.Subtree(orgUnitId))
        {
            result.AddRange(await directory.GetEngagementsInUnitAsync(unit.Id, cancellationToken));
        }

        return result;
    }

    /// <summary>What the given policies would do to the engagements; changes nothing.</summary>
    public async Task<IReadOnlyList<(PolicyChange Change, Person Person)>> EvaluateAsync(
        IEnumerable<(string HsaId, string EngagementId)> scope, IReadOnlyList<AssignmentPolicy> policySet, OrgTree tree, CancellationToken cancellationToken)
    {
        var today = StockholmTime.Today(clock);
        List<(PolicyChange, Person)> changes = [];
        foreach (var group in scope.Distinct().GroupBy(s => s.HsaId))
        {
            var person = await directory.GetPersonAsync(group.Key, cancellationToken);
            if (person is null)
            {
                continue;
            }

            foreach (var (_, engagementId) in group)
            {
                if (person.FindEngagement(engagementId) is { } engagement
                    && PolicyRules.Evaluate(person, engagement, policySet, tree, today) is { } change)
                {
                    changes.Add((change, person));
                }
            }
        }

        return changes;
    }

    /// <summary>Carries out the changes; returns those that were started (an engagement busy with an order is left).</summary>
    public async Task<IReadOnlyList<PolicyChange>> ApplyAsync(
        IReadOnlyList<(PolicyChange Change, Person Person)> changes, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        List<PolicyChange> applied = [];
        var now = clock.GetUtcNow();
        var today = StockholmTime.DateOn(now);
        foreach (var (change, person) in changes)
        {
            var engagement = person.FindEngagement(change.EngagementId)!;
            if (change.Kind == PolicyChangeKind.Lose)
            {
                await InactivateAsync(person, engagement, now, cancellationToken);
                applied.Add(change);
                continue;
            }

            var activationDate = OrderRules.ActivationDate(today, engagement);
            var order = new Order(
                $"{PolicyRules.OrderPrefix}{engagement.EngagementId}-{change.ToLevel}-{today:yyyyMMdd}".ToUpperInvariant(),
                person.Identity.HsaId, engagement.EngagementId, change.ToLevel!, today, activationDate,
                OrdererId: "policy:" + change.PolicyId, ApproverId: null, RequiresApproval: false,
                Comment: "tilldelningspolicy " + change.PolicyId, PlacedAt: now, Status: OrderStatus.WaitingForStartDate);
            if (await orders.GetAsync(order.OrderId, cancellationToken) is not null
                || await orders.PlaceAsync(order, cancellationToken) == PlaceResult.EngagementBusy)
            {
                continue;
            }

            await audit.AppendAsync(new AuditEntry(order.OrderId, now, "Placed", "tilldelningspolicy " + change.PolicyId,
                $"Nivå {order.Level}, aktivering {DirectoryRepository.Format(activationDate)}, utan godkännande och attest (R5)"), cancellationToken);
            var settings = workflow.Value;
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(OrderLifecycleOrchestrator),
                new OrderLifecycleInput(order.OrderId, RequiresApproval: false, StockholmTime.StartOfDayUtc(activationDate),
                    new OrderTimeouts(settings.ApprovalReminderAfter, settings.ApprovalExpiresAfter, settings.AttestationExpiresAfter), RequiresAttestation: false),
                new StartOrchestrationOptions(order.OrderId), cancellationToken);
            applied.Add(change);
        }

        return applied;
    }

    private async Task InactivateAsync(Person person, Engagement engagement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var service = person.FindUserService(engagement.EngagementId)!;
        await userServices.InactivateAsync(service, StockholmTime.DateOn(now), now, cancellationToken);
        await audit.AppendAsync(new AuditEntry(engagement.EngagementId, now, "PolicyAssignmentEnded", "system",
            $"Ingen tilldelningspolicy täcker längre engagemanget; användartjänsten {service.Level} inaktiverades"), cancellationToken);
    }
}
