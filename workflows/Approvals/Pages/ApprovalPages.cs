using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Requests;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Approvals.Pages;

/// <summary>
/// GET and POST /godkannanden: what waits for the caller's decision, decided one or several at once. An item may be
/// decided only while the caller's own queue holds it (the same rules as GET /api/me/approvals: R2, R8, R14), and for an
/// order only while the caller holds the engagement's manager role — as the emailed link checks.
/// </summary>
public sealed class ApprovalPages(
    PageSession session, ApprovalQueue queue, OrderRepository orders, DirectoryRepository directory, OrderApprovals orderApprovals,
    AccessRequestRepository requests, AccessApprovals accessApprovals)
{
    private const string Title = "Godkännanden";
    private const int MaxReasonLength = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/godkannanden", (HttpContext c, ApprovalPages h, CancellationToken ct) => h.ShowAsync(c, ct));
        app.MapPost("/godkannanden", (HttpContext c, ApprovalPages h, DurableTaskClient d, CancellationToken ct) => h.DecideAsync(c, d, ct));
    }

    public async Task<IResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var decided = int.TryParse(context.Request.Query["beslutade"], out var count) && count is > 0 and <= 1000 ? count : 0;
        return Render(page, await queue.ForAsync(page.Caller, cancellationToken), FormErrors.None, new HashSet<string>(), null,
            decided == 0 ? null : $"{decided} {(decided == 1 ? "beslut" : "beslut")} sparade. Den som beställde eller ansökte får besked.");
    }

    public async Task<IResult> DecideAsync(HttpContext context, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var selected = form["item"].Select(v => v ?? "").Where(v => v.Length is > 0 and <= 200).ToHashSet(StringComparer.Ordinal);
        var reason = form["motivering"].ToString().Trim();
        var outcome = form["decision"].ToString() switch
        {
            "approve" => DecisionOutcome.Approved,
            "reject" => DecisionOutcome.Rejected,
            _ => (DecisionOutcome?)null,
        };

        var items = await queue.ForAsync(page.Caller, cancellationToken);
        var errors = new FormErrors();
        var chosen = items.Where(i => selected.Contains(ApprovalsPage.Key(i))).ToList();
        if (chosen.Count == 0)
        {
            errors.Add("item", "Markera minst ett ärende att besluta om.");
        }

        if (outcome is null)
        {
            errors.Add("item", "Välj Godkänn markerade eller Avslå markerade.");
        }
        else if (outcome == DecisionOutcome.Rejected && reason.Length == 0)
        {
            errors.Add("motivering", "Skriv en motivering när du avslår, så att den som beställde vet varför.");
        }

        if (reason.Length > MaxReasonLength)
        {
            errors.Add("motivering", $"Motiveringen får vara högst {MaxReasonLength} tecken.");
        }

        if (errors.Any)
        {
            return Render(page, items, errors, selected, reason, null, StatusCodes.Status400BadRequest);
        }

        var done = 0;
        foreach (var item in chosen)
        {
            if (await DecideOneAsync(page.Caller, item, outcome!.Value, reason.Length == 0 ? null : reason, durable, cancellationToken))
            {
                done++;
            }
        }

        return new SeeOther($"/godkannanden?beslutade={done}");
    }

    /// <summary>Decides one listed item; false when it no longer waits or the caller no longer holds the role it needs.</summary>
    private async Task<bool> DecideOneAsync(Caller caller, ApprovalItem item, DecisionOutcome outcome, string? reason, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (item.Kind == "Order")
        {
            var order = await orders.GetAsync(item.Id, cancellationToken);
            var engagement = order is null ? null : (await directory.GetPersonAsync(order.IdentityId, cancellationToken))?.FindEngagement(order.EngagementId);
            if (order is not { Status: OrderStatus.PendingApproval } || engagement is null || !caller.ActsAsManager(engagement.ManagerHsaId)
                || !SeparationOfDuties.MayDecide(caller.HsaId, order.IdentityId))
            {
                return false;
            }

            var result = await orderApprovals.DecideAsync(caller, order, engagement, outcome, reason, durable, cancellationToken);
            return result.Recorded || result.RepeatOfOwn;
        }

        var access = item.SubjectId is null ? null : await requests.GetAsync(item.SubjectId, item.Id, cancellationToken);
        if (access is not { Status: AccessRequestStatus.PendingApproval })
        {
            return false;
        }

        var decided = await accessApprovals.DecideAsync(caller, access, outcome, reason, durable, cancellationToken);
        return decided.Recorded || decided.RepeatOfOwn;
    }

    private static PageResult<ApprovalsPage> Render(
        PageRequest page, IReadOnlyList<ApprovalItem> items, FormErrors errors, IReadOnlySet<string> selected, string? reason, string? notice,
        int status = StatusCodes.Status200OK) =>
        Page.Render<ApprovalsPage>(new Dictionary<string, object?>
        {
            [nameof(ApprovalsPage.Frame)] = page.Frame,
            [nameof(ApprovalsPage.Items)] = items,
            [nameof(ApprovalsPage.Errors)] = errors,
            [nameof(ApprovalsPage.Selected)] = selected,
            [nameof(ApprovalsPage.Reason)] = reason,
            [nameof(ApprovalsPage.Notice)] = notice,
        }, status);
}
