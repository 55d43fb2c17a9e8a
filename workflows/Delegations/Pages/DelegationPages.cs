using System.Globalization;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Behorighetsportal.Web.Layout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Delegations.Pages;

/// <summary>
/// /delegeringar: delegate the manager role to one of one's reports (R8), the delegations given and received, and
/// revoking one (POST /delegeringar/{delegationId}/aterkalla). Every rule is <see cref="DelegationService"/>'s — the same
/// the JSON routes call; this class only reads forms and shows results.
/// </summary>
public sealed class DelegationPages(PageSession session, DelegationService delegations)
{
    private const string Title = "Delegeringar";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/delegeringar", (HttpContext c, DelegationPages h, CancellationToken ct) => h.ShowAsync(c, ct));
        app.MapPost("/delegeringar", (HttpContext c, DelegationPages h, DurableTaskClient d, CancellationToken ct) => h.CreateAsync(c, d, ct));
        app.MapPost("/delegeringar/{delegationId}/aterkalla",
            (HttpContext c, string delegationId, DelegationPages h, DurableTaskClient d, CancellationToken ct) => h.RevokeAsync(c, delegationId, d, ct));
    }

    public async Task<IResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var query = context.Request.Query;
        var notice = query.ContainsKey("delegerad") ? "Chefsrollen är delegerad. Delegaten får ett e-postmeddelande när delegeringen börjar."
            : query.ContainsKey("aterkallad") ? "Delegeringen är återkallad. Delegaten har inte längre chefsrollen."
            : null;
        var input = new DelegationFormInput("", IsoDate(page.Caller.Today), "");
        return await RenderAsync(page, input, FormErrors.None, notice, StatusCodes.Status200OK, cancellationToken);
    }

    public async Task<IResult> CreateAsync(HttpContext context, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new DelegationFormInput(form["delegat"].ToString(), form["startdatum"].ToString().Trim(), form["slutdatum"].ToString().Trim());
        var (created, refusal) = await delegations.CreateAsync(page.Caller,
            new CreateDelegationCommand(input.DelegateId.Length == 0 ? null : input.DelegateId, input.ValidFrom, input.ValidTo),
            DelegationInput.Form, durable, cancellationToken);
        if (created is not null)
        {
            // Post/Redirect/Get: reloading the list creates nothing again.
            return new SeeOther("/delegeringar?delegerad=" + Uri.EscapeDataString(created.DelegationId));
        }

        var errors = refusal!.Errors is { } fields
            ? FormErrors.From(fields.AsReadOnly(), FieldOf)
            // A refusal of the whole delegation (not a report, an overlapping one) is shown beside what to change.
            : new FormErrors().Add(refusal.Status == StatusCodes.Status409Conflict ? "startdatum" : "delegat", refusal.Detail);
        return await RenderAsync(page, input, errors, null, refusal.Status, cancellationToken);
    }

    public async Task<IResult> RevokeAsync(HttpContext context, string delegationId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Återkalla delegeringen", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var (revoked, refusal) = await delegations.RevokeAsync(page.Caller, delegationId, durable, cancellationToken);
        if (revoked is not null)
        {
            return new SeeOther("/delegeringar?aterkallad=" + Uri.EscapeDataString(revoked.DelegationId));
        }

        return Page.Render<MessagePage>(new Dictionary<string, object?>
        {
            [nameof(MessagePage.Frame)] = page.Titled(refusal!.Title),
            [nameof(MessagePage.Message)] = refusal.Detail,
        }, refusal.Status);
    }

    private async Task<IResult> RenderAsync(
        PageRequest page, DelegationFormInput input, FormErrors errors, string? notice, int status, CancellationToken cancellationToken)
    {
        var caller = page.Caller;
        var candidates = (await delegations.CandidatesAsync(caller, cancellationToken))
            .Select(p => new DelegationsPage.Candidate(p.Identity.HsaId, PersonName.Sentence(PersonNames.Of(caller.Reader, p).Name)))
            .ToList();
        var list = await delegations.ListAsync(caller, cancellationToken);
        return Page.Render<DelegationsPage>(new Dictionary<string, object?>
        {
            [nameof(DelegationsPage.Frame)] = page.Frame,
            [nameof(DelegationsPage.Input)] = input,
            [nameof(DelegationsPage.Candidates)] = candidates,
            [nameof(DelegationsPage.Given)] = list.Given,
            [nameof(DelegationsPage.Received)] = list.Received,
            [nameof(DelegationsPage.Errors)] = errors,
            [nameof(DelegationsPage.Notice)] = notice,
            [nameof(DelegationsPage.MaxPeriodDays)] = delegations.MaxPeriodDays,
        }, status);
    }

    private static string FieldOf(string jsonField) => jsonField switch
    {
        "validFrom" => "startdatum",
        "validTo" => "slutdatum",
        _ => "delegat",
    };

    private static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The delegation form as sent (or first shown): the chosen report's HSA-id and the two dates as typed.</summary>
public sealed record DelegationFormInput(string DelegateId, string ValidFrom, string ValidTo);
