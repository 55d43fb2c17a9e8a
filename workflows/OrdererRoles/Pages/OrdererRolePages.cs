using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.OrdererRoles.Pages;

/// <summary>
/// GET and POST /bestallarroll: the caller orders the orderer role (SDA) for themself, for units of their own
/// administration (shown as its unit tree), with optional dates; above the form, the units they hold the role for and
/// their orders not yet granted. Every rule is <see cref="OrdererRoleService"/>'s — the same POST /api/orderer-roles
/// calls; this class only reads the form and shows the answer.
/// </summary>
public sealed class OrdererRolePages(PageSession session, OrdererRoleService service, DirectoryRepository directory, PersonNames names)
{
    private const string Title = "Beställarroll";
    private const int MaxFieldLength = 64;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/bestallarroll", (HttpContext c, OrdererRolePages h, CancellationToken ct) => h.ShowAsync(c, ct));
        app.MapPost("/bestallarroll", (HttpContext c, OrdererRolePages h, DurableTaskClient d, CancellationToken ct) => h.OrderAsync(c, d, ct));
    }

    public async Task<IResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var sent = context.Request.Query["skickad"].ToString();
        return await RenderAsync(page, new OrdererRoleFormInput([], "", ""), FormErrors.None, sent.Length is > 0 and <= MaxFieldLength ? sent : null,
            StatusCodes.Status200OK, cancellationToken);
    }

    public async Task<IResult> OrderAsync(HttpContext context, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new OrdererRoleFormInput(
            form["enhet"].Select(v => v ?? "").Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Take(OrdererRoleService.MaxUnits + 1).ToList(),
            form["startdatum"].ToString().Trim(), form["slutdatum"].ToString().Trim());

        // Only for oneself here; a manager ordering the role for a report uses the JSON route's identityId.
        var (placed, refusal) = await service.PlaceAsync(page.Caller,
            new OrderOrdererRoleCommand(input.Units, input.ValidFrom, input.ValidTo, null), OrdererRoleFields.Form, durable, cancellationToken);
        if (placed is not null)
        {
            // Post/Redirect/Get: reloading the page that says it is sent orders nothing again.
            return new SeeOther("/bestallarroll?skickad=" + Uri.EscapeDataString(placed.RequestId));
        }

        // A refusal about the fields names each; any other (another administration, held already, no manager) is about the units chosen.
        var errors = refusal!.Errors is { Count: > 0 } byField
            ? FormErrors.From(byField.ToDictionary(e => e.Key, e => e.Value))
            : new FormErrors().Add(OrdererRoleFields.Form.Units, refusal.Detail);
        return await RenderAsync(page, input, errors, null, refusal.Status, cancellationToken);
    }

    private async Task<IResult> RenderAsync(
        PageRequest page, OrdererRoleFormInput input, FormErrors errors, string? sentId, int status, CancellationToken cancellationToken)
    {
        var caller = page.Caller;
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var overview = await service.OverviewAsync(caller, cancellationToken);
        var held = overview.Held.SelectMany(r => r.OrgUnitIds).ToHashSet(StringComparer.Ordinal);
        var asked = overview.Pending.SelectMany(r => r.Resources).ToHashSet(StringComparer.Ordinal);
        var units = (await service.OrderableUnitsAsync(caller, cancellationToken)).Select((u, index) => new OrdererRolePage.UnitChoice(
            "enhet-" + index, u.Unit.Id, u.Unit.Name, u.Level,
            held.Contains(u.Unit.Id) ? "Du har redan beställarrollen här" : asked.Contains(u.Unit.Id) ? "Beställd, inte beviljad än" : null)).ToList();

        List<OrdererRolePage.HeldRow> heldRows = [.. overview.Held.Select(role => new OrdererRolePage.HeldRow(
            UnitsText(tree, role.OrgUnitIds), Swedish.Date(role.ValidFrom, "Från beviljandet"), Swedish.Date(role.ValidTo, "Tills vidare"),
            role.ValidFrom is { } from && from > caller.Today ? "Börjar gälla " + Swedish.Date(from) : "Gäller"))];

        List<OrdererRolePage.PendingRow> pendingRows = [];
        foreach (var request in overview.Pending)
        {
            pendingRows.Add(new OrdererRolePage.PendingRow(request.RequestId, UnitsText(tree, request.Resources),
                Validity(request.ValidFrom, request.ValidTo), await StatusAsync(caller, request, cancellationToken), request.CreatedAt));
        }

        var approvers = new List<string>();
        foreach (var approver in OrdererRoleService.ApproversOfOwnOrder(caller))
        {
            approvers.Add((await names.OfAsync(caller.Reader, approver, cancellationToken)).Name);
        }

        return Page.Render<OrdererRolePage>(new Dictionary<string, object?>
        {
            [nameof(OrdererRolePage.Frame)] = page.Frame,
            [nameof(OrdererRolePage.Input)] = input,
            [nameof(OrdererRolePage.Units)] = units,
            [nameof(OrdererRolePage.Held)] = heldRows,
            [nameof(OrdererRolePage.Pending)] = pendingRows,
            [nameof(OrdererRolePage.Approvers)] = approvers,
            [nameof(OrdererRolePage.Errors)] = errors,
            [nameof(OrdererRolePage.Sent)] = sentId is null ? null : pendingRows.FirstOrDefault(r => r.RequestId == sentId),
        }, status);
    }

    /// <summary>The order's status in Swedish, naming who decides it as the reader may see them (R10).</summary>
    private async Task<string> StatusAsync(Caller caller, AccessRequest request, CancellationToken cancellationToken) => request.Status switch
    {
        AccessRequestStatus.PendingApproval => "Väntar på godkännande av närmaste chef"
            + (request.ApproverId is { } approver ? ", " + (await names.OfAsync(caller.Reader, approver, cancellationToken)).Name : ""),
        AccessRequestStatus.Approved => request.ValidFrom is { } from ? "Godkänd, börjar gälla " + Swedish.Date(from) : "Godkänd, beviljas strax",
        AccessRequestStatus.Active => "Beviljad",
        AccessRequestStatus.Rejected => "Avslagen",
        AccessRequestStatus.Expired => "Ej besvarad i tid",
        AccessRequestStatus.Ended => "Avslutad",
        _ => "Kunde inte startas",
    };

    private static string UnitsText(OrgTree tree, IEnumerable<string> ids) =>
        string.Join(", ", ids.Select(id => tree.Find(id) is { } unit ? $"{unit.Name} ({unit.Id})" : id));

    private static string Validity(DateOnly? from, DateOnly? to) => (from, to) switch
    {
        (null, null) => "Tills vidare",
        ({ } f, null) => "Från och med " + Swedish.Date(f),
        (null, { } t) => "Till och med " + Swedish.Date(t),
        ({ } f, { } t) => $"{Swedish.Date(f)} – {Swedish.Date(t)}",
    };
}

/// <summary>The form as sent: the units checked, and the optional dates as typed (ÅÅÅÅ-MM-DD).</summary>
public sealed record OrdererRoleFormInput(IReadOnlyList<string> Units, string ValidFrom, string ValidTo);
