using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Behorighetsportal.Web.Layout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Orders.Pages;

/// <summary>
/// /bestall (choose people, level and date; review; send; confirmation), /bestallningar and /bestallningar/{orderId}
/// (with its cancel form). Every rule is <see cref="OrderPlacement"/>'s, <see cref="OrderCancellation"/>'s and
/// <see cref="OrderQueries"/>' — the same the JSON routes call; this class only reads forms and shows results.
/// </summary>
public sealed class OrderPages(
    PageSession session, ActablePeople people, OrderPlacement placement, OrderCancellation cancellation, OrderQueries queries,
    OrderTexts texts, ServiceLevelCatalog levels)
{
    private const string OrderTitle = "Beställ användartjänst";
    private const int MaxPeople = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/bestall", (HttpContext c, OrderPages h, CancellationToken ct) => h.FormAsync(c, ct));
        app.MapPost("/bestall", (HttpContext c, OrderPages h, DurableTaskClient d, CancellationToken ct) => h.PostAsync(c, d, ct));
        app.MapGet("/bestall/klar", (HttpContext c, OrderPages h, CancellationToken ct) => h.ConfirmationAsync(c, ct));
        app.MapGet("/bestallningar", (HttpContext c, OrderPages h, CancellationToken ct) => h.ListAsync(c, ct));
        app.MapGet("/bestallningar/{orderId}", (HttpContext c, string orderId, OrderPages h, CancellationToken ct) => h.ShowAsync(c, orderId, ct));
        app.MapPost("/bestallningar/{orderId}/avbryt", (HttpContext c, string orderId, OrderPages h, DurableTaskClient d, CancellationToken ct) => h.CancelAsync(c, orderId, d, ct));
    }

    public async Task<IResult> FormAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, OrderTitle, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var query = context.Request.Query;
        var input = new OrderFormInput([], "", DateTimeFormat(page.Caller.Today), "", query["q"].ToString().Trim());
        if (query["person"].ToString() is { Length: > 0 } person)
        {
            var engagement = query["engagement"].ToString();
            input = input with { Selected = [OrderFormInput.Key(person, engagement)] };
        }

        return await RenderFormAsync(page, input, FormErrors.None, StatusCodes.Status200OK, cancellationToken);
    }

    public async Task<IResult> PostAsync(HttpContext context, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, OrderTitle, cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var input = new OrderFormInput(
            form["val"].Where(v => v is { Length: > 0 and <= 140 }).Select(v => v!).Distinct().Take(MaxPeople).ToList(),
            form["niva"].ToString(), form["startdatum"].ToString(), form["kommentar"].ToString(), "");
        var step = form["steg"].ToString();
        if (step == "andra")
        {
            return await RenderFormAsync(page, input, FormErrors.None, StatusCodes.Status200OK, cancellationToken);
        }

        // The fields every order shares are checked once, by the placing service's own rule, with a person who needs none.
        var errors = new FormErrors();
        if (input.Selected.Count == 0)
        {
            errors.Add("val", "Välj minst en person att beställa för.");
        }

        var shared = OrderRules.ValidateFields(new PlaceOrderCommand(page.Caller.HsaId, "-", input.Level, input.StartDate, input.Comment),
            levels, page.Caller.Today, OrderPlacement.MaxCommentLength, out _, out _);
        foreach (var (field, messages) in shared?.Errors ?? new Dictionary<string, string[]>())
        {
            errors.Add(FieldOf(field), messages[0]);
        }

        if (errors.Any)
        {
            return await RenderFormAsync(page, input, errors, StatusCodes.Status400BadRequest, cancellationToken);
        }

        if (step == "skicka")
        {
            return await SendAsync(page, input, durable, cancellationToken);
        }

        List<OrderReview.Item> items = [];
        foreach (var key in input.Selected)
        {
            var (plan, refusal) = await placement.CheckAsync(page.Caller, input.CommandFor(key), cancellationToken);
            items.Add(plan is null
                ? new OrderReview.Item(key, await NameOfAsync(page, key, cancellationToken), null, null, refusal)
                : new OrderReview.Item(key, PersonNames.Of(page.Caller.Reader, plan.Target).Name, plan, await placement.ApproverAsync(page.Caller, plan, cancellationToken), null));
        }

        if (items.All(i => i.Plan is null))
        {
            foreach (var item in items)
            {
                errors.Add("val", $"{PersonName.Sentence(item.Name)}: {item.Refusal!.Detail}");
            }

            return await RenderFormAsync(page, input, errors, StatusCodes.Status400BadRequest, cancellationToken);
        }

        return Page.Render<OrderReview>(new Dictionary<string, object?>
        {
            [nameof(OrderReview.Frame)] = page.Titled("Granska beställningen"),
            [nameof(OrderReview.Input)] = input,
            [nameof(OrderReview.Items)] = items,
        });
    }

    private async Task<IResult> SendAsync(PageRequest page, OrderFormInput input, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        List<OrderConfirmation.Line> lines = [];
        foreach (var key in input.Selected)
        {
            var (order, refusal) = await placement.PlaceAsync(page.Caller, input.CommandFor(key), durable, cancellationToken);
            lines.Add(order is null
                ? new OrderConfirmation.Line(await NameOfAsync(page, key, cancellationToken), null, refusal)
                : new OrderConfirmation.Line((await texts.NameAsync(page.Caller, order.IdentityId, cancellationToken)).Name, order, null));
        }

        if (lines.All(l => l.Order is not null))
        {
            // Post/Redirect/Get: the confirmation is a page of its own, so reloading it places nothing again.
            return new SeeOther("/bestall/klar?" + string.Join("&", lines.Select(l => "order=" + Uri.EscapeDataString(l.Order!.OrderId))));
        }

        // Some were refused: say which were placed and why the others were not, here (placing again would only be refused).
        return Page.Render<OrderConfirmation>(new Dictionary<string, object?>
        {
            [nameof(OrderConfirmation.Frame)] = page.Titled(lines.Any(l => l.Order is not null) ? "Beställningen är delvis skickad" : "Beställningen kunde inte skickas"),
            [nameof(OrderConfirmation.Lines)] = lines,
        }, lines.Any(l => l.Order is not null) ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    public async Task<IResult> ConfirmationAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Beställningen är skickad", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        List<OrderConfirmation.Line> lines = [];
        foreach (var id in context.Request.Query["order"].Select(v => v ?? "").Distinct().Take(MaxPeople))
        {
            if (await queries.FindVisibleAsync(page.Caller, id, cancellationToken) is { } order)
            {
                lines.Add(new OrderConfirmation.Line((await texts.NameAsync(page.Caller, order.IdentityId, cancellationToken)).Name, order, null));
            }
        }

        return Page.Render<OrderConfirmation>(new Dictionary<string, object?>
        {
            [nameof(OrderConfirmation.Frame)] = page.Frame,
            [nameof(OrderConfirmation.Lines)] = lines,
        });
    }

    public async Task<IResult> ListAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Beställningar", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var filter = Enum.TryParse<OrderStatus>(context.Request.Query["status"].ToString(), ignoreCase: false, out var status) && Enum.IsDefined(status) ? status : (OrderStatus?)null;
        var all = await queries.ListAsync(page.Caller, cancellationToken);

        // Each person named once, their names read a few at a time (a point read each), in the list's order.
        var shown = all.Where(o => filter is null || o.Status == filter).ToList();
        var names = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(shown.Select(o => o.IdentityId).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (hsaId, token) => names[hsaId] = (await texts.NameAsync(page.Caller, hsaId, token)).Name);
        List<OrdersPage.Row> rows = [.. shown.Select(order => new OrdersPage.Row(order, names[order.IdentityId]))];

        return Page.Render<OrdersPage>(new Dictionary<string, object?>
        {
            [nameof(OrdersPage.Frame)] = page.Frame,
            [nameof(OrdersPage.Rows)] = rows,
            [nameof(OrdersPage.Filter)] = filter,
        });
    }

    public async Task<IResult> ShowAsync(HttpContext context, string orderId, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Beställning", cancellationToken);
        return page is null ? answer! : await RenderOrderAsync(page, orderId, context.Request.Query["avbruten"] == "1", cancellationToken);
    }

    public async Task<IResult> CancelAsync(HttpContext context, string orderId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Avbryt beställningen", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var (cancelled, refusal) = await cancellation.CancelAsync(page.Caller, orderId, durable, cancellationToken);
        if (cancelled is not null)
        {
            return new SeeOther($"/bestallningar/{Uri.EscapeDataString(cancelled.OrderId)}?avbruten=1");
        }

        return refusal!.Status == StatusCodes.Status404NotFound
            ? NotFoundPage(page)
            : Page.Render<MessagePage>(new Dictionary<string, object?>
            {
                [nameof(MessagePage.Frame)] = page.Titled(refusal.Title),
                [nameof(MessagePage.Message)] = refusal.Detail,
            }, refusal.Status);
    }

    private async Task<IResult> RenderOrderAsync(PageRequest page, string orderId, bool justCancelled, CancellationToken cancellationToken)
    {
        if (await queries.FindVisibleWithHistoryAsync(page.Caller, orderId, cancellationToken) is not { } stored)
        {
            return NotFoundPage(page);
        }

        var order = stored.Order;
        List<OrderPage.Step> steps = [];
        foreach (var entry in stored.History)
        {
            steps.Add(new OrderPage.Step(OrderTexts.StepInSwedish(entry.Step), entry.At, await texts.ActorAsync(page.Caller, entry.Actor, cancellationToken)));
        }

        return Page.Render<OrderPage>(new Dictionary<string, object?>
        {
            [nameof(OrderPage.Frame)] = page.Titled("Beställning " + order.OrderId),
            [nameof(OrderPage.Order)] = order,
            [nameof(OrderPage.Person)] = (await texts.NameAsync(page.Caller, order.IdentityId, cancellationToken)).Name,
            [nameof(OrderPage.Orderer)] = await texts.ActorAsync(page.Caller, order.OrdererId, cancellationToken),
            [nameof(OrderPage.Approver)] = order.ApproverId is { } approver ? await texts.ActorAsync(page.Caller, approver, cancellationToken) : null,
            [nameof(OrderPage.LevelCost)] = levels.Find(order.Level),
            [nameof(OrderPage.Steps)] = steps,
            [nameof(OrderPage.MayCancel)] = await cancellation.MayCancelAsync(page.Caller, order, cancellationToken),
            [nameof(OrderPage.JustCancelled)] = justCancelled,
        });
    }

    private static PageResult<MessagePage> NotFoundPage(PageRequest page) => Page.Render<MessagePage>(new Dictionary<string, object?>
    {
        [nameof(MessagePage.Frame)] = page.Titled("Beställningen finns inte"),
        [nameof(MessagePage.Message)] = "Det finns ingen beställning med det numret som du kan se. Kontrollera beställningsnumret, eller gå till Beställningar.",
    }, StatusCodes.Status404NotFound);

    private async Task<IResult> RenderFormAsync(PageRequest page, OrderFormInput input, FormErrors errors, int status, CancellationToken cancellationToken)
    {
        var caller = page.Caller;
        List<Person> shown = [.. await people.ReportsAsync(caller, MaxPeople, cancellationToken)];
        FormErrors searchErrors = FormErrors.None;
        if (input.Query.Length > 0)
        {
            if (input.Query.Length is < 2 or > 64)
            {
                searchErrors = new FormErrors().Add("q", "Skriv minst två tecken av ett namn eller ett HSA-id.");
            }
            else
            {
                // The form shows each person's user services too: those found are read whole (at most 50).
                List<Person> found = [];
                foreach (var match in await people.SearchAsync(caller, input.Query, 50, cancellationToken))
                {
                    if (await people.FindAsync(caller, match.Identity.HsaId, cancellationToken) is { } person)
                    {
                        found.Add(person);
                    }
                }

                shown.InsertRange(0, found);
            }
        }

        // Whoever is chosen already (a link from a person's page, or the form sent back) stays in the list.
        foreach (var hsaId in input.Selected.Select(OrderFormInput.PersonOf).Distinct())
        {
            if (shown.All(p => p.Identity.HsaId != hsaId) && await people.FindAsync(caller, hsaId, cancellationToken) is { } chosen)
            {
                shown.Insert(0, chosen);
            }
        }

        List<OrderForm.Choice> choices = [];
        foreach (var person in shown.DistinctBy(p => p.Identity.HsaId))
        {
            var name = PersonNames.Of(caller.Reader, person).Name;
            foreach (var engagement in await people.OrderableEngagementsAsync(caller, person, cancellationToken))
            {
                choices.Add(new OrderForm.Choice(OrderFormInput.Key(person.Identity.HsaId, engagement.EngagementId), PersonName.Sentence(name),
                    $"{engagement.Title}, {engagement.OrgUnitId} ({engagement.EngagementId}), från {Swedish.Date(engagement.StartDate)}",
                    person.FindUserService(engagement.EngagementId) is { Status: UserServiceStatus.Active } held ? "Har nu nivå " + held.Level : null));
            }
        }

        // A preselected person given without an engagement: their only engagement is the one meant.
        var selected = input.Selected.SelectMany(key => key.EndsWith('|')
            ? choices.Where(c => c.Key.StartsWith(key, StringComparison.Ordinal)).Take(1).Select(c => c.Key)
            : [key]).ToList();

        return Page.Render<OrderForm>(new Dictionary<string, object?>
        {
            [nameof(OrderForm.Frame)] = page.Frame,
            [nameof(OrderForm.Input)] = input with { Selected = selected },
            [nameof(OrderForm.Choices)] = choices,
            [nameof(OrderForm.Levels)] = levels.Levels,
            [nameof(OrderForm.Errors)] = errors,
            [nameof(OrderForm.SearchErrors)] = searchErrors,
            [nameof(OrderForm.IsManager)] = shown.Count > 0,
        }, status);
    }

    private async Task<string> NameOfAsync(PageRequest page, string key, CancellationToken cancellationToken) =>
        (await texts.NameAsync(page.Caller, OrderFormInput.PersonOf(key), cancellationToken)).Name;

    private static string FieldOf(string jsonField) => jsonField switch
    {
        "level" => "niva",
        "startDate" => "startdatum",
        "comment" => "kommentar",
        _ => "val",
    };

    private static string DateTimeFormat(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The order form as sent: each chosen person and engagement as "hsaId|engagementId", and the fields they share.</summary>
public sealed record OrderFormInput(IReadOnlyList<string> Selected, string Level, string StartDate, string Comment, string Query)
{
    public static string Key(string hsaId, string engagementId) => hsaId + "|" + engagementId;

    public static string PersonOf(string key) => key.Split('|')[0];

    public PlaceOrderCommand CommandFor(string key)
    {
        var parts = key.Split('|');
        return new PlaceOrderCommand(parts[0], parts.Length > 1 ? parts[1] : null, Level, StartDate, Comment);
    }
}
