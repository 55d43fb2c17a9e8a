using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Amu.Pages;

/// <summary>
/// GET and POST /amu: the AMU groups the caller may apply for, their memberships and applications, and the application
/// form (one or several groups, a motivation). Every rule is <see cref="AmuService"/>'s — the same POST /api/amu-applications
/// calls; this class only reads the form and shows the result. A sent application is answered 303 to /amu (PRG).
/// </summary>
public sealed class AmuPages(PageSession session, AmuService amu)
{
    private const string Title = "AMU-grupper";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/amu", (HttpContext c, AmuPages h, CancellationToken ct) => h.ShowAsync(c, ct));
        app.MapPost("/amu", (HttpContext c, AmuPages h, DurableTaskClient d, CancellationToken ct) => h.ApplyAsync(c, d, ct));
    }

    public async Task<IResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var overview = await amu.OverviewAsync(page.Caller, cancellationToken);

        // The application just sent (PRG): named only when it is the caller's own, so the address shows nobody else's.
        var sent = context.Request.Query["ansokan"].ToString();
        var justSent = sent.Length is > 0 and <= 40
            ? overview.Applications.Where(a => a.Request.RequestId.StartsWith(sent + "-", StringComparison.Ordinal)).ToList()
            : [];
        return Render(page, overview, new AmuFormInput([], ""), FormErrors.None, justSent, StatusCodes.Status200OK);
    }

    public async Task<IResult> ApplyAsync(HttpContext context, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, Title, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new AmuFormInput(
            form["grupp"].Where(v => v is { Length: > 0 and <= 140 }).Select(v => v!).Distinct(StringComparer.Ordinal).Take(AmuService.MaxGroups + 1).ToList(),
            form["motivering"].ToString());

        var errors = new FormErrors();
        Refusal? refusal = null;
        if (input.GroupIds.Count == 0)
        {
            // The service refuses this too, in the API's words (naming its JSON field); the form says it in its own.
            errors.Add("grupp", "Välj minst en AMU-grupp att ansöka om.");
        }
        else
        {
            var (accepted, refused) = await amu.ApplyAsync(page.Caller, new ApplyForAmuCommand(input.GroupIds, input.Motivation), durable, cancellationToken);
            if (accepted is not null)
            {
                return new SeeOther("/amu?ansokan=" + Uri.EscapeDataString(accepted.ApplicationId));
            }

            refusal = refused!;
            errors = FormErrors.From(refusal.Errors is null ? null : new Dictionary<string, string[]>(refusal.Errors), FieldOf);
            if (!errors.Any)
            {
                // A refusal of the application as a whole (a group held or applied for already, no one to approve): beside the groups.
                errors.Add("grupp", refusal.Detail);
            }
        }

        var overview = await amu.OverviewAsync(page.Caller, cancellationToken);
        return Render(page, overview, input, errors, [], refusal?.Status ?? StatusCodes.Status400BadRequest);
    }

    private static PageResult<AmuPage> Render(
        PageRequest page, AmuOverview overview, AmuFormInput input, FormErrors errors, IReadOnlyList<AmuApplicationView> justSent, int status) =>
        Page.Render<AmuPage>(new Dictionary<string, object?>
        {
            [nameof(AmuPage.Frame)] = page.Frame,
            [nameof(AmuPage.Overview)] = overview,
            [nameof(AmuPage.Input)] = input,
            [nameof(AmuPage.Errors)] = errors,
            [nameof(AmuPage.JustSent)] = justSent,
        }, status);

    private static string FieldOf(string jsonField) => jsonField == "motivation" ? "motivering" : "grupp";
}

/// <summary>The application form as sent: the groups ticked and the motivation.</summary>
public sealed record AmuFormInput(IReadOnlyList<string> GroupIds, string Motivation);
