using Behorighetsportal.Audit;
using Behorighetsportal.Durable;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Policies;
using Behorighetsportal.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Orders;

public sealed record PlaceOrderRequest(string? IdentityId, string? EngagementId, string? Level, string? StartDate, string? Comment);

public sealed record OrderAccepted(string OrderId, OrderStatus Status);

/// <summary>One step of an order's history; <see cref="Actor"/> is an HSA-id, "system", or (R10) the protected wording.</summary>
public sealed record OrderHistoryEntry(string Step, DateTimeOffset At, string Actor);

/// <summary>An order as its reader may see it: <see cref="IdentityId"/> is null for a person protected from them (R10).</summary>
public sealed record OrderView(
    string OrderId, OrderStatus Status, string? IdentityId, string EngagementId, string Level,
    string StartDate, string ActivationDate, IReadOnlyList<OrderHistoryEntry> History);

/// <summary>
/// POST /api/orders, GET /api/orders/{id}, POST /api/orders/{id}/cancel. Each handler checks the caller and the
/// input completely before its first write, so a rejected request changes nothing.
/// </summary>
public sealed class OrderEndpoints(
    CallerResolver callers,
    DirectoryRepository directory,
    PersonNames names,
    OrderRepository orders,
    OrderQueries queries,
    ServiceLevelCatalog levels,
    IOptions<WorkflowOptions> workflow,
    TimeProvider clock,
    ILogger<OrderEndpoints> logger)
{
    private const int MaxCommentLength = 1000;

    public async Task<IResult> PlaceAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<PlaceOrderRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;

        var today = caller.Today;
        var invalid = OrderRules.ValidateFields(body, levels, today, MaxCommentLength, out var level, out var startDate);
        if (invalid is not null)
        {
            return invalid;
        }

        // Someone ordering for herself (R1) was read with her engagements when she was identified.
        var target = body.IdentityId == caller.HsaId ? caller.Person : await directory.GetPersonAsync(body.IdentityId!, cancellationToken);
        if (target is null || !ActingRights.MaySee(caller.HsaId, target, today, caller.DelegatedManagers))
        {
            return Problems.NotFound("Identiteten finns inte",
                $"Det finns ingen identitet med HSA-id {body.IdentityId} som du kan beställa för. Kontrollera HSA-id:t.");
        }

        var engagement = target.FindEngagement(body.EngagementId!);
        if (engagement is null)
        {
            return Problems.NotFound("Engagemanget finns inte",
                $"Identiteten har inget engagemang med id {body.EngagementId}. Välj ett av identitetens engagemang.");
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var right = ActingRights.ForEngagement(caller.HsaId, engagement, caller.Person.OrdererRoles, tree, today, caller.DelegatedManagers);
        if (right == ActingRight.None)
        {
            return Problems.Forbidden(
                "Du får inte beställa användartjänst för den här medarbetaren. Beställa får närmaste chef, chefens delegat, " +
                "en beställare (SDA) för medarbetarens enhet i samma förvaltning, eller medarbetaren själv.");
        }

        if (engagement.HasEndedBy(today))
        {
            return Problems.Unprocessable("Engagemanget har upphört",
                $"Engagemanget {engagement.EngagementId} upphörde {OrderEmails.Date(engagement.EndDate!.Value)}. Användartjänst kan bara beställas för ett pågående eller kommande engagemang.");
        }

        // R5 and the user service the engagement holds: the same level again is no order; another level changes it.
        var held = target.FindUserService(engagement.EngagementId) is { Status: UserServiceStatus.Active } service ? service : null;
        if (OrderRules.AlreadyHeld(held, level!) is { } sameLevel)
        {
            return Problems.Conflict("Användartjänsten finns redan",
                $"{PersonName.Sentence(PersonNames.Of(caller.Reader, target).Name)} har redan användartjänsten på nivån {sameLevel} för engagemanget " +
                $"{engagement.EngagementId}. Välj en annan nivå om användartjänsten ska ändras.");
        }

        // R2: an order by the line manager or the manager's active delegate needs no approval; anyone else's
        // waits for that manager (or a delegate). R14: never one about the orderer themself — a delegate ordering for
        // herself waits for the manager or another delegate.
        var requiresApproval = !SeparationOfDuties.PlacingApproves(caller.HsaId, target.Identity.HsaId,
            right is ActingRight.LineManager or ActingRight.Delegate);
        if (requiresApproval && engagement.ManagerHsaId is null)
        {
            return Problems.Unprocessable("Chef saknas för engagemanget",
                "Engagemanget har ingen närmaste chef registrerad i Katalog i Väst, så beställningen kan inte godkännas. Kontakta din SIS-funktion.");
        }

        var activationDate = OrderRules.ActivationDate(startDate, engagement);
        var order = new Order(
            OrderId: OrderIds.NewManual(),
            IdentityId: target.Identity.HsaId,
            EngagementId: engagement.EngagementId,
            Level: level!.Level,
            StartDate: startDate,
            ActivationDate: activationDate,
            OrdererId: caller.HsaId,
            ApproverId: engagement.ManagerHsaId,
            RequiresApproval: requiresApproval,
            Comment: string.IsNullOrWhiteSpace(body.Comment) ? null : body.Comment.Trim(),
            PlacedAt: clock.GetUtcNow(),
            Status: requiresApproval ? OrderStatus.PendingApproval : OrderStatus.PendingAttestation);

        var placed = new AuditEntry(order.OrderId, order.PlacedAt, "Placed", caller.HsaId,
            $"Nivå {order.Level}, start {DirectoryRepository.Format(order.StartDate)}, aktivering {DirectoryRepository.Format(activationDate)}, som {AsWhom(right)}"
            + (right == ActingRight.Delegate ? $" för {engagement.ManagerHsaId}" : "")
            + (held is null ? "" : $", ändring från nivå {held.Level}"));
        if (await orders.PlaceAsync(order, placed, cancellationToken) == PlaceResult.EngagementBusy)
        {
            return Problems.Conflict("En beställning pågår redan",
                $"Det finns redan en pågående beställning för engagemanget {engagement.EngagementId}. Vänta tills den är klar eller avbryt den innan du beställer igen.");
        }

        try
        {
            await OrderWorkflow.StartAsync(durable, order, workflow.Value, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            OrderLog.StartFailed(logger, e, order.OrderId);
            var (failed, _) = await orders.MoveToAsync(order.OrderId, OrderStatus.Failed,
                new AuditEntry(order.OrderId, clock.GetUtcNow(), "StartFailed", OrderStep.System), CancellationToken.None);
            await orders.ReleaseClaimAsync(failed, CancellationToken.None);
            return Problems.TryAgain("Beställningen kunde inte startas just nu. Ingenting har beställts; försök igen om en stund.");
        }

        OrderLog.Placed(logger, order.OrderId, order.OrdererId, requiresApproval);
        PortalTelemetry.OrderStarted(order.OrderId);
        return Results.Json(new OrderAccepted(order.OrderId, order.Status), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> GetAsync(HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        if (await queries.FindVisibleWithHistoryAsync(caller, orderId, cancellationToken) is not { } stored)
        {
            return OrderNotFound(orderId);
        }

        // R10 for everyone the order names: the person it is about and whoever acted on it.
        var order = stored.Order;
        Dictionary<string, PersonName> named = new(StringComparer.Ordinal);
        async Task<PersonName> NameAsync(string hsaId) =>
            named.TryGetValue(hsaId, out var known) ? known : named[hsaId] = await names.OfAsync(caller.Reader, hsaId, cancellationToken);
        List<OrderHistoryEntry> history = [];
        foreach (var entry in stored.History)
        {
            var actor = entry.Actor == OrderStep.System ? null : await NameAsync(entry.Actor);
            history.Add(new OrderHistoryEntry(entry.Step, entry.At, actor is null ? entry.Actor : actor.HsaId ?? actor.Name));
        }

        return Results.Json(new OrderView(order.OrderId, order.Status, (await NameAsync(order.IdentityId)).HsaId, order.EngagementId, order.Level,
            DirectoryRepository.Format(order.StartDate)!, DirectoryRepository.Format(order.ActivationDate)!, history), JsonBody.Options);
    }

    public async Task<IResult> CancelAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (caller, problem) = await callers.ResolveForChangeAsync(request, cancellationToken);
        if (caller is null)
        {
            return problem!;
        }

        var order = await queries.FindVisibleAsync(caller, orderId, cancellationToken);
        if (order is null)
        {
            return OrderNotFound(orderId);
        }

        var managerId = (await directory.GetPersonAsync(order.IdentityId, cancellationToken))?.FindEngagement(order.EngagementId)?.ManagerHsaId;
        if (caller.HsaId != order.OrdererId && !caller.ActsAsManager(managerId))
        {
            return Problems.Forbidden("Bara den som beställde och medarbetarens närmaste chef (eller chefens delegat) kan avbryta beställningen.");
        }

        var (current, recorded) = await orders.CancelAsync(order.OrderId, caller.HsaId,
            new AuditEntry(order.OrderId, clock.GetUtcNow(), "Cancelled", caller.HsaId), cancellationToken);
        var retryOfOwnCancel = !recorded && current.Status == OrderStatus.Cancelled && current.CancelledBy == caller.HsaId;
        if (!recorded && !retryOfOwnCancel)
        {
            return Problems.Conflict("Beställningen kan inte avbrytas",
                $"Beställningen har status \"{current.Status.InSwedish()}\" och kan inte längre avbrytas. Bara beställningar som inte är aktiva kan avbrytas.");
        }

        if (recorded)
        {
            await orders.ReleaseClaimAsync(current, cancellationToken);
            OrderLog.Cancelled(logger, order.OrderId, caller.HsaId);
        }

        // A policy order due at once is activated together with others and has no workflow of its own
        // (ActivatePolicyOrdersActivity): the cancellation stored above is all it reads.
        if (!await DurableSignals.TryRaiseAsync(durable, order.OrderId, OrderEvents.CancelRequested,
                new DecisionEvent(DecisionOutcome.Rejected, caller.HsaId), logger, cancellationToken)
            && !(PolicyRules.IsPolicyOrder(order.OrderId) && await durable.GetInstanceAsync(order.OrderId, cancellationToken) is null))
        {
            return Problems.TryAgain("Beställningen är avbruten men arbetsflödet kunde inte nås just nu. Skicka avbrottet igen om en stund.");
        }

        return Results.Json(new OrderAccepted(order.OrderId, OrderStatus.Cancelled), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static string AsWhom(ActingRight right) => right switch
    {
        ActingRight.LineManager => "närmaste chef",
        ActingRight.Delegate => "delegat",
        ActingRight.Orderer => "beställare (SDA)",
        _ => "medarbetaren själv",
    };

    private static Refusal OrderNotFound(string orderId) => Problems.NotFound("Beställningen finns inte",
        $"Det finns ingen beställning {orderId} som du kan se. Kontrollera beställningsnumret.");
}

/// <summary>The data rules of an order, apart from who is asking.</summary>
public static class OrderRules
{
    /// <summary>
    /// The level an order asks for is the one the engagement's active user service has already: nothing to order (409).
    /// Another level is a change order. Returns that level's name, or null.
    /// </summary>
    public static string? AlreadyHeld(UserService? active, ServiceLevel requested) =>
        active is { Status: UserServiceStatus.Active } held && string.Equals(held.Level, requested.Level, StringComparison.OrdinalIgnoreCase)
            ? requested.Level
            : null;

    /// <summary>R4: never before the engagement starts, whatever date the order gives.</summary>
    public static DateOnly ActivationDate(DateOnly orderStart, Engagement engagement) =>
        orderStart > engagement.StartDate ? orderStart : engagement.StartDate;

    /// <summary>Checks the fields of a request; null when they are fine, else the problem to answer with.</summary>
    public static IResult? ValidateFields(
        PlaceOrderRequest body, ServiceLevelCatalog levels, DateOnly today, int maxCommentLength,
        out ServiceLevel? level, out DateOnly startDate)
    {
        level = levels.Find(body.Level);
        startDate = default;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.IdentityId) || body.IdentityId.Length > 64)
        {
            errors["identityId"] = ["Ange medarbetarens HSA-id."];
        }

        if (string.IsNullOrWhiteSpace(body.EngagementId) || body.EngagementId.Length > 64)
        {
            errors["engagementId"] = ["Ange vilket engagemang användartjänsten gäller."];
        }

        if (level is null)
        {
            errors["level"] = [$"Okänd nivå{(string.IsNullOrEmpty(body.Level) ? "" : $" '{body.Level}'")}. Välj en av: {string.Join(", ", levels.Levels.Select(l => l.Level))}."];
        }

        if (!DateWindow.TryParse(body.StartDate, out startDate))
        {
            errors["startDate"] = ["Ange startdatum som ÅÅÅÅ-MM-DD, till exempel 2026-12-01."];
        }
        else if (DateWindow.Requested(today).Check(startDate, "Startdatum") is { } outside)
        {
            errors["startDate"] = [outside];
        }

        if (body.Comment is { Length: > 0 } comment && comment.Length > maxCommentLength)
        {
            errors["comment"] = [$"Kommentaren får vara högst {maxCommentLength} tecken."];
        }

        return errors.Count == 0 ? null : Problems.BadRequest(
            "Beställningen är inte komplett",
            "Rätta de markerade fälten och skicka beställningen igen: " + string.Join(" ", errors.Values.SelectMany(v => v)),
            errors);
    }
}
