using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Policies;

/// <summary>What <see cref="PolicyEngine.ApplyAsync"/> did: the changes carried out, and the orders left for the caller to activate now.</summary>
public sealed record PolicyApplication(IReadOnlyList<PolicyChange> Applied, IReadOnlyList<string> DueNow);

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

    /// <summary>Storage work (people read, orders started) kept in flight at once.</summary>
    private const int Parallelism = 16;

    /// <summary>What the given policies would do to the engagements; changes nothing.</summary>
    public async Task<IReadOnlyList<(PolicyChange Change, Person Person)>> EvaluateAsync(
        IEnumerable<(string HsaId, string EngagementId)> scope, IReadOnlyList<AssignmentPolicy> policySet, OrgTree tree, CancellationToken cancellationToken)
    {
        var today = StockholmTime.Today(clock);
        var groups = scope.Distinct().GroupBy(s => s.HsaId).ToList();
        var people = new Person?[groups.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), Options(cancellationToken),
            async (i, token) => people[i] = await directory.GetPersonAsync(groups[i].Key, token));

        List<(PolicyChange, Person)> changes = [];
        foreach (var (group, person) in groups.Zip(people))
        {
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

    /// <summary>
    /// What the policies would do to engagements just written (a KiV import), each saying whether it existed before:
    /// instead of reading each person's whole partition, it reads the identity and the engagement's user service by
    /// point reads, which is all R5 looks at. A new engagement no policy matches is not read at all: it has no user
    /// service a policy could have given. The people in the answer carry only these engagements and services.
    /// </summary>
    public async Task<IReadOnlyList<(PolicyChange Change, Person Person)>> EvaluateEngagementsAsync(
        IReadOnlyList<(Engagement Engagement, bool Existed)> written, IReadOnlyList<AssignmentPolicy> policySet, OrgTree tree, CancellationToken cancellationToken)
    {
        var today = StockholmTime.Today(clock);
        var groups = written
            .Where(w => !w.Engagement.HasEndedBy(today) && (w.Existed || policySet.Any(p => p.Matches(w.Engagement, tree))))
            .Select(w => w.Engagement).GroupBy(e => e.HsaId).ToList();
        var people = new Person?[groups.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), Options(cancellationToken), async (i, token) =>
        {
            if (await directory.GetIdentityAsync(groups[i].Key, token) is not { } identity)
            {
                return;
            }

            List<UserService> services = [];
            foreach (var engagement in groups[i])
            {
                if (await directory.GetUserServiceAsync(identity.HsaId, engagement.EngagementId, token) is { } service)
                {
                    services.Add(service);
                }
            }

            people[i] = new Person(identity, groups[i].ToList(), services, []);
        });

        List<(PolicyChange, Person)> changes = [];
        foreach (var person in people.OfType<Person>())
        {
            foreach (var engagement in person.Engagements)
            {
                if (PolicyRules.Evaluate(person, engagement, policySet, tree, today) is { } change)
                {
                    changes.Add((change, person));
                }
            }
        }

        return changes;
    }

    /// <summary>
    /// Carries out the changes; answers those that were carried out (an engagement busy with an order is left). Each
    /// order gets a workflow of its own that waits for its start date — except, when <paramref name="batchDueNow"/>,
    /// orders whose start date has come: the caller activates those many at a time with
    /// <see cref="ActivatePolicyOrdersActivity"/> (a region's import places thousands, and a workflow each was most of
    /// its cost). Placing is safe to repeat: an order placed by an earlier try is answered again as due or, when it
    /// lacks one, given its workflow.
    /// </summary>
    public async Task<PolicyApplication> ApplyAsync(
        IReadOnlyList<(PolicyChange Change, Person Person)> changes, DurableTaskClient durable, bool batchDueNow, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = StockholmTime.DateOn(now);
        var outcomes = new (bool Applied, string? DueNow)[changes.Count];

        // Each change is about its own engagement, so they go a few at a time. One that fails must not cut the others
        // short half-way (a claim taken, its order not yet written, would hold the engagement from the retry), so they
        // get the caller's token, not the loop's, and those under way finish before the failure is thrown.
        await Parallel.ForEachAsync(Enumerable.Range(0, changes.Count), Options(cancellationToken),
            async (i, _) => outcomes[i] = await ApplyOneAsync(changes[i].Change, changes[i].Person, durable, batchDueNow, now, today, cancellationToken));
        return new PolicyApplication(
            changes.Where((_, i) => outcomes[i].Applied).Select(c => c.Change).ToList(),
            outcomes.Select(o => o.DueNow).OfType<string>().ToList());
    }

    private async Task<(bool Applied, string? DueNow)> ApplyOneAsync(
        PolicyChange change, Person person, DurableTaskClient durable, bool batchDueNow, DateTimeOffset now, DateOnly today, CancellationToken cancellationToken)
    {
        var engagement = person.FindEngagement(change.EngagementId)!;
        if (change.Kind == PolicyChangeKind.Lose)
        {
            await InactivateAsync(person, engagement, now, cancellationToken);
            return (true, null);
        }

        var activationDate = OrderRules.ActivationDate(today, engagement);
        var order = new Order(
            PolicyRules.OrderIdFor(engagement.EngagementId, change.ToLevel!, today),
            person.Identity.HsaId, engagement.EngagementId, change.ToLevel!, today, activationDate,
            OrdererId: PolicyRules.OrdererPrefix + change.PolicyId, ApproverId: null, RequiresApproval: false,
            Comment: "tilldelningspolicy " + change.PolicyId, PlacedAt: now, Status: OrderStatus.WaitingForStartDate);
        var batched = batchDueNow && StockholmTime.StartOfDayUtc(activationDate) <= now.UtcDateTime;
        if (await orders.GetAsync(order.OrderId, cancellationToken) is { } placed)
        {
            // Placed by an earlier try that stopped before its workflow started or its batch was handed over
            // (activities run at least once). Activating twice is harmless; losing the activation is not.
            if (placed.Status == OrderStatus.WaitingForStartDate)
            {
                if (batched)
                {
                    return (false, placed.OrderId);
                }

                await OrderWorkflow.StartIfMissingAsync(durable, placed, workflow.Value, cancellationToken);
            }

            return (false, null);
        }

        var placedEntry = new AuditEntry(order.OrderId, now, "Placed", "tilldelningspolicy " + change.PolicyId,
            $"Nivå {order.Level}, aktivering {DirectoryRepository.Format(activationDate)}, utan godkännande och attest (R5)");
        if (await orders.PlaceAsync(order, placedEntry, cancellationToken) == PlaceResult.EngagementBusy)
        {
            return (false, null);
        }

        if (batched)
        {
            return (true, order.OrderId);
        }

        await OrderWorkflow.StartAsync(durable, order, workflow.Value, cancellationToken);
        return (true, null);
    }

    private static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    private async Task InactivateAsync(Person person, Engagement engagement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var service = person.FindUserService(engagement.EngagementId)!;
        await userServices.InactivateAsync(service, StockholmTime.DateOn(now), now, cancellationToken);
        await audit.AppendAsync(new AuditEntry(engagement.EngagementId, now, "PolicyAssignmentEnded", "system",
            $"Ingen tilldelningspolicy täcker längre engagemanget; användartjänsten {service.Level} inaktiverades"), cancellationToken);
    }
}
