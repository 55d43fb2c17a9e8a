using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Telemetry;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Orders;

/// <summary>An order as a person asks for it, from the JSON body or the order form: every field unchecked.</summary>
public sealed record PlaceOrderCommand(string? IdentityId, string? EngagementId, string? Level, string? StartDate, string? Comment);

/// <summary>
/// What placing an order would do, checked but not stored: for whom, the level, when it activates (R4), and whether it
/// waits for the manager's approval (R2, R14). The order form's review shows it; <see cref="OrderPlacement.PlaceAsync"/> stores it.
/// </summary>
public sealed record OrderPlan(
    Person Target, Engagement Engagement, ServiceLevel Level, DateOnly StartDate, DateOnly ActivationDate,
    ActingRight Right, bool RequiresApproval, UserService? Held, string? Comment);

/// <summary>
/// Placing an order (POST /api/orders and the order form alike): every check on the caller and the input before the
/// first write, so a refused order changes nothing; then the order, its audit entry and the engagement's claim in one
/// write, and its workflow — or, when the workflow cannot start, the order marked failed and the claim released.
/// </summary>
public sealed class OrderPlacement(
    DirectoryRepository directory,
    PersonNames names,
    OrderRepository orders,
    ServiceLevelCatalog levels,
    IOptions<WorkflowOptions> workflow,
    TimeProvider clock,
    ILogger<OrderPlacement> logger)
{
    public const int MaxCommentLength = 1000;

    public IReadOnlyList<ServiceLevel> Levels => levels.Levels;

    /// <summary>Everything <see cref="PlaceAsync"/> checks, without storing anything: the plan, or why it is refused.</summary>
    public async Task<(OrderPlan? Plan, Refusal? Refusal)> CheckAsync(Caller caller, PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        var today = caller.Today;
        var invalid = OrderRules.ValidateFields(command, levels, today, MaxCommentLength, out var level, out var startDate);
        if (invalid is not null)
        {
            return (null, invalid);
        }

        // Someone ordering for herself (R1) was read with her engagements when she was identified.
        var target = command.IdentityId == caller.HsaId ? caller.Person : await directory.GetPersonAsync(command.IdentityId!, cancellationToken);
        if (target is null || !ActingRights.MaySee(caller.HsaId, target, today, caller.DelegatedManagers))
        {
            return (null, Problems.NotFound("Identiteten finns inte",
                $"Det finns ingen identitet med HSA-id {command.IdentityId} som du kan beställa för. Kontrollera HSA-id:t."));
        }

        var engagement = target.FindEngagement(command.EngagementId!);
        if (engagement is null)
        {
            return (null, Problems.NotFound("Engagemanget finns inte",
                $"Identiteten har inget engagemang med id {command.EngagementId}. Välj ett av identitetens engagemang."));
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var right = ActingRights.ForEngagement(caller.HsaId, engagement, caller.Person.OrdererRoles, tree, today, caller.DelegatedManagers);
        if (right == ActingRight.None)
        {
            return (null, Problems.Forbidden(
                "Du får inte beställa användartjänst för den här medarbetaren. Beställa får närmaste chef, chefens delegat, " +
                "en beställare (SDA) för medarbetarens enhet i samma förvaltning, eller medarbetaren själv."));
        }

        if (engagement.HasEndedBy(today))
        {
            return (null, Problems.Unprocessable("Engagemanget har upphört",
                $"Engagemanget {engagement.EngagementId} upphörde {OrderEmails.Date(engagement.EndDate!.Value)}. Användartjänst kan bara beställas för ett pågående eller kommande engagemang."));
        }

        // R5 and the user service the engagement holds: the same level again is no order; another level changes it.
        var held = target.FindUserService(engagement.EngagementId) is { Status: UserServiceStatus.Active } service ? service : null;
        if (OrderRules.AlreadyHeld(held, level!) is { } sameLevel)
        {
            return (null, Problems.Conflict("Användartjänsten finns redan",
                $"{PersonName.Sentence(PersonNames.Of(caller.Reader, target).Name)} har redan användartjänsten på nivån {sameLevel} för engagemanget " +
                $"{engagement.EngagementId}. Välj en annan nivå om användartjänsten ska ändras."));
        }

        // R2: an order by the line manager or the manager's active delegate needs no approval; anyone else's
        // waits for that manager (or a delegate). R14: never one about the orderer themself — a delegate ordering for
        // herself waits for the manager or another delegate.
        var requiresApproval = !SeparationOfDuties.PlacingApproves(caller.HsaId, target.Identity.HsaId,
            right is ActingRight.LineManager or ActingRight.Delegate);
        if (requiresApproval && engagement.ManagerHsaId is null)
        {
            return (null, Problems.Unprocessable("Chef saknas för engagemanget",
                "Engagemanget har ingen närmaste chef registrerad i Katalog i Väst, så beställningen kan inte godkännas. Kontakta din SIS-funktion."));
        }

        return (new OrderPlan(target, engagement, level!, startDate, OrderRules.ActivationDate(startDate, engagement), right, requiresApproval, held,
            string.IsNullOrWhiteSpace(command.Comment) ? null : command.Comment.Trim()), null);
    }

    /// <summary>Places the order, or says why not (nothing stored then). The order returned is as stored.</summary>
    public async Task<(Order? Order, Refusal? Refusal)> PlaceAsync(Caller caller, PlaceOrderCommand command, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (plan, refusal) = await CheckAsync(caller, command, cancellationToken);
        if (plan is null)
        {
            return (null, refusal);
        }

        var (engagement, right, requiresApproval) = (plan.Engagement, plan.Right, plan.RequiresApproval);
        var order = new Order(
            OrderId: OrderIds.NewManual(),
            IdentityId: plan.Target.Identity.HsaId,
            EngagementId: engagement.EngagementId,
            Level: plan.Level.Level,
            StartDate: plan.StartDate,
            ActivationDate: plan.ActivationDate,
            OrdererId: caller.HsaId,
            ApproverId: engagement.ManagerHsaId,
            RequiresApproval: requiresApproval,
            Comment: plan.Comment,
            PlacedAt: clock.GetUtcNow(),
            Status: requiresApproval ? OrderStatus.PendingApproval : OrderStatus.PendingAttestation);

        var placed = new AuditEntry(order.OrderId, order.PlacedAt, "Placed", caller.HsaId,
            $"Nivå {order.Level}, start {DirectoryRepository.Format(order.StartDate)}, aktivering {DirectoryRepository.Format(order.ActivationDate)}, som {AsWhom(right)}"
            + (right == ActingRight.Delegate ? $" för {engagement.ManagerHsaId}" : "")
            + (plan.Held is null ? "" : $", ändring från nivå {plan.Held.Level}"));
        if (await orders.PlaceAsync(order, placed, cancellationToken) == PlaceResult.EngagementBusy)
        {
            return (null, Problems.Conflict("En beställning pågår redan",
                $"Det finns redan en pågående beställning för engagemanget {engagement.EngagementId}. Vänta tills den är klar eller avbryt den innan du beställer igen."));
        }

        try
        {
            await OrderWorkflow.StartAsync(durable, order, workflow.Value, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Compensation: the order that could not start is failed and its engagement free for a new order.
            OrderLog.StartFailed(logger, e, order.OrderId);
            var (failed, _) = await orders.MoveToAsync(order.OrderId, OrderStatus.Failed,
                new AuditEntry(order.OrderId, clock.GetUtcNow(), "StartFailed", OrderStep.System), CancellationToken.None);
            await orders.ReleaseClaimAsync(failed, CancellationToken.None);
            return (null, Problems.TryAgain("Beställningen kunde inte startas just nu. Ingenting har beställts; försök igen om en stund."));
        }

        OrderLog.Placed(logger, order.OrderId, order.OrdererId, requiresApproval);
        PortalTelemetry.OrderStarted(order.OrderId);
        return (order, null);
    }

    /// <summary>Who decides an order the plan would place, as its reader may see them named (R10); null when none is asked.</summary>
    public async Task<PersonName?> ApproverAsync(Caller caller, OrderPlan plan, CancellationToken cancellationToken) =>
        plan.RequiresApproval && plan.Engagement.ManagerHsaId is { } manager ? await names.OfAsync(caller.Reader, manager, cancellationToken) : null;

    private static string AsWhom(ActingRight right) => right switch
    {
        ActingRight.LineManager => "närmaste chef",
        ActingRight.Delegate => "delegat",
        ActingRight.Orderer => "beställare (SDA)",
        _ => "medarbetaren själv",
    };
}
