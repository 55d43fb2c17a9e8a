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

namespace Behorighetsportal.Policies.Pages;

/// <summary>
/// /policyer (every assignment policy: what it covers, its level, who administers it) and /policyer/{policyId}: read-only
/// for everyone, and for the administration's policy administrator a form whose "Förhandsgranska" shows who gains, loses
/// or changes level, and whose "Spara" saves it (Post/Redirect/Get). Every rule is <see cref="PolicyService"/>'s, the same
/// the JSON routes call; this class only reads forms and shows results.
/// </summary>
public sealed class PolicyPages(PageSession session, PolicyService policies, DirectoryRepository directory, PersonNames names)
{
    private const string ListTitle = "Tilldelningspolicyer";
    private const int MaxTitles = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/policyer", (HttpContext c, PolicyPages h, CancellationToken ct) => h.ListAsync(c, ct));
        app.MapGet("/policyer/{policyId}", (HttpContext c, string policyId, PolicyPages h, CancellationToken ct) => h.ShowAsync(c, policyId, ct));
        app.MapPost("/policyer/{policyId}", (HttpContext c, string policyId, PolicyPages h, DurableTaskClient d, CancellationToken ct) => h.PostAsync(c, policyId, d, ct));
    }

    public async Task<IResult> ListAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, ListTitle, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        List<PoliciesPage.Row> rows = [];
        foreach (var policy in await policies.ListAsync(cancellationToken))
        {
            rows.Add(new PoliciesPage.Row(policy, PolicyTexts.Covers(policy, tree), await AdministratorsAsync(page, policy.Administration, cancellationToken)));
        }

        return Page.Render<PoliciesPage>(new Dictionary<string, object?>
        {
            [nameof(PoliciesPage.Frame)] = page.Frame,
            [nameof(PoliciesPage.Rows)] = rows,
            [nameof(PoliciesPage.Administered)] = rows.Select(r => r.Policy.Administration).Distinct()
                .Where(a => policies.Administers(page.Caller, a)).Order(StringComparer.Ordinal).ToList(),
        });
    }

    public async Task<IResult> ShowAsync(HttpContext context, string policyId, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Policy " + policyId, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        if (await policies.FindAsync(policyId, cancellationToken) is not { } policy)
        {
            return NotFoundPage(page);
        }

        return await RenderPolicyAsync(page, policy, PolicyFormInput.Of(policy), FormErrors.None, StatusCodes.Status200OK,
            context.Request.Query["sparad"] == "1", cancellationToken);
    }

    public async Task<IResult> PostAsync(HttpContext context, string policyId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Policy " + policyId, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        if (await policies.FindAsync(policyId, cancellationToken) is not { } policy)
        {
            return NotFoundPage(page);
        }

        // Only the administration's policy administrator is offered the form; whoever posts it anyway is refused
        // before anything in it is read (the service would refuse too, after checking the fields).
        if (!policies.Administers(page.Caller, policy.Administration))
        {
            return Page.Render<MessagePage>(new Dictionary<string, object?>
            {
                [nameof(MessagePage.Frame)] = page.Titled("Du får inte ändra policyn"),
                [nameof(MessagePage.Message)] =
                    $"Bara policyadministratörer för förvaltningen {policy.Administration} kan ändra policyn {policy.PolicyId}. Inget har ändrats. Kontakta förvaltningens SIS-funktion.",
            }, StatusCodes.Status403Forbidden);
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new PolicyFormInput(
            form["enhet"].ToString().Trim(),
            form["titlar"].SelectMany(v => (v ?? "").Split('\n')).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Take(MaxTitles).ToList(),
            form["niva"].ToString().Trim(),
            form["prioritet"].ToString().Trim(),
            form["anstallningsform"].Select(v => v ?? "").Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList());
        var step = form["steg"].ToString();
        if (step == "andra")
        {
            return await RenderPolicyAsync(page, policy, input, FormErrors.None, StatusCodes.Status200OK, false, cancellationToken);
        }

        // The administration is the stored policy's: the page edits a policy within its administration.
        var command = input.ToCommand(policy.Administration, out var priorityError);
        var errors = ErrorsOf((await policies.ValidateAsync(policyId, command, cancellationToken))?.Errors, priorityError);

        if (errors.Any)
        {
            return await RenderPolicyAsync(page, policy, input, errors, StatusCodes.Status400BadRequest, false, cancellationToken);
        }

        if (step == "spara")
        {
            var (saved, refusal) = await policies.SaveAsync(page.Caller, policyId, command, durable, cancellationToken);
            return saved is not null
                ? new SeeOther($"/policyer/{Uri.EscapeDataString(saved.Policy.PolicyId)}?sparad=1")
                : await RefusedAsync(page, policy, input, refusal!, cancellationToken);
        }

        var (preview, refused) = await policies.PreviewAsync(page.Caller, policyId, command, cancellationToken);
        if (preview is null)
        {
            return await RefusedAsync(page, policy, input, refused!, cancellationToken);
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        return Page.Render<PolicyPreviewPage>(new Dictionary<string, object?>
        {
            [nameof(PolicyPreviewPage.Frame)] = page.Titled("Förhandsgranska " + policy.PolicyId),
            [nameof(PolicyPreviewPage.PolicyId)] = policy.PolicyId,
            [nameof(PolicyPreviewPage.Input)] = input,
            [nameof(PolicyPreviewPage.Covers)] = PolicyTexts.Covers(input.Unit, input.Titles, input.Kinds, tree),
            [nameof(PolicyPreviewPage.Preview)] = preview,
        });
    }

    private async Task<IResult> RefusedAsync(PageRequest page, AssignmentPolicy policy, PolicyFormInput input, Refusal refusal, CancellationToken cancellationToken) =>
        refusal.Errors is { Count: > 0 } fieldErrors
            ? await RenderPolicyAsync(page, policy, input, ErrorsOf(fieldErrors, null), refusal.Status, false, cancellationToken)
            : Page.Render<MessagePage>(new Dictionary<string, object?>
            {
                [nameof(MessagePage.Frame)] = page.Titled(refusal.Title),
                [nameof(MessagePage.Message)] = refusal.Detail,
            }, refusal.Status);

    private async Task<IResult> RenderPolicyAsync(
        PageRequest page, AssignmentPolicy policy, PolicyFormInput input, FormErrors errors, int status, bool justSaved, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        return Page.Render<PolicyPage>(new Dictionary<string, object?>
        {
            [nameof(PolicyPage.Frame)] = page.Frame,
            [nameof(PolicyPage.Policy)] = policy,
            [nameof(PolicyPage.Covers)] = PolicyTexts.Covers(policy, tree),
            [nameof(PolicyPage.Administrators)] = await AdministratorsAsync(page, policy.Administration, cancellationToken),
            [nameof(PolicyPage.MayEdit)] = policies.Administers(page.Caller, policy.Administration),
            [nameof(PolicyPage.Input)] = input,
            [nameof(PolicyPage.Units)] = PolicyTexts.UnitsOf(policy.Administration, tree),
            [nameof(PolicyPage.Levels)] = policies.Levels,
            [nameof(PolicyPage.Errors)] = errors,
            [nameof(PolicyPage.JustSaved)] = justSaved,
        }, status);
    }

    /// <summary>The administration's policy administrators as the reader may see them named (R10).</summary>
    private async Task<IReadOnlyList<string>> AdministratorsAsync(PageRequest page, string administration, CancellationToken cancellationToken)
    {
        List<string> result = [];
        foreach (var hsaId in policies.AdministratorsOf(administration))
        {
            result.Add(PersonName.Sentence((await names.OfAsync(page.Caller.Reader, hsaId, cancellationToken)).Name));
        }

        return result;
    }

    private static PageResult<MessagePage> NotFoundPage(PageRequest page) => Page.Render<MessagePage>(new Dictionary<string, object?>
    {
        [nameof(MessagePage.Frame)] = page.Titled("Policyn finns inte"),
        [nameof(MessagePage.Message)] = "Det finns ingen tilldelningspolicy med det id:t. Kontrollera adressen, eller gå till Tilldelningspolicyer.",
    }, StatusCodes.Status404NotFound);

    /// <summary>The service's messages and the form's own, on the form's fields, in the order the form shows them.</summary>
    private static FormErrors ErrorsOf(IDictionary<string, string[]>? serviceErrors, string? priorityError)
    {
        var all = (serviceErrors ?? new Dictionary<string, string[]>()).SelectMany(e => e.Value.Select(m => (Field: FieldOf(e.Key), Message: m))).ToList();
        if (priorityError is not null)
        {
            all.Add(("prioritet", priorityError));
        }

        var errors = new FormErrors();
        foreach (var (field, message) in all.OrderBy(e => Array.IndexOf(FormFields, e.Field)))
        {
            errors.Add(field, message);
        }

        return errors;
    }

    /// <summary>The form's fields top down.</summary>
    private static readonly string[] FormFields = ["enhet", "titlar", "niva", "prioritet", "anstallningsform"];

    /// <summary>The service's field names (the JSON routes') onto the form's field ids.</summary>
    private static string FieldOf(string jsonField) => jsonField switch
    {
        "level" => "niva",
        "kinds" => "anstallningsform",
        "priority" => "prioritet",
        "titles" => "titlar",
        _ => "enhet",
    };
}

/// <summary>The policy form as sent: the unit, one title per line, the level, the priority as written, the engagement kinds by name.</summary>
public sealed record PolicyFormInput(string Unit, IReadOnlyList<string> Titles, string Level, string Priority, IReadOnlyList<string> Kinds)
{
    public static PolicyFormInput Of(AssignmentPolicy policy) => new(policy.UnderOrgUnitId, policy.Titles, policy.Level,
        policy.Priority.ToString(CultureInfo.InvariantCulture), (policy.Kinds ?? []).Select(EngagementKinds.NameOf).ToList());

    /// <summary>The command for the service; a priority that is no whole number is the form's own message (the JSON body has a number).</summary>
    public PolicyCommand ToCommand(string administration, out string? priorityError)
    {
        int? priority = null;
        priorityError = null;
        if (Priority.Length > 0)
        {
            // A typographic minus (as Swedish keyboards and word processors write it) is a minus.
            if (int.TryParse(Priority.Replace('−', '-'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                priority = number;
            }
            else
            {
                priorityError = "Ange prioriteten som ett heltal, till exempel 0 eller 10.";
            }
        }

        return new PolicyCommand(administration, Unit.Length == 0 ? null : Unit, Titles, Level.Length == 0 ? null : Level, priority, Kinds);
    }
}
