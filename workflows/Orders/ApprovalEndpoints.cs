using Behorighetsportal.Audit;
using Behorighetsportal.Durable;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>
/// GET and POST /api/approvals/{token}: the line manager's decision from the emailed link (R2). The GET only
/// shows what is asked — mail scanners open links — and the POST decides. Rights are checked when the person
/// acts: the signed-in caller must be the one the link was sent to, and still the engagement's manager.
/// </summary>
public sealed class ApprovalEndpoints(
    OrderLinkGate gate,
    FormPosts forms,
    LinkSigner links,
    Requests.AccessApprovalEndpoints access,
    OrderApprovals approvals,
    DirectoryRepository directory,
    PersonNames names,
    ServiceLevelCatalog levels)
{
    private const string Title = "Godkännande av beställning";

    private static readonly LinkPageTexts Texts = new(
        Title,
        Invalid: "Länken är ogiltig. Kontrollera att hela länken från e-postmeddelandet kom med, eller öppna beställningen i VGR behörighetsportal.",
        Expired: "Länken har gått ut och beställningen kan inte längre godkännas. Beställaren kan göra en ny beställning.",
        NotForYou: "Den här länken gäller inte för dig, eller så har du inte längre chefsrollen för medarbetaren. Beställningen kan godkännas av medarbetarens närmaste chef eller chefens delegat.");

    public async Task<IResult> ShowAsync(HttpRequest request, string token, CancellationToken cancellationToken)
    {
        if (links.PurposeOf(token) == LinkPurpose.AccessApproval)
        {
            return await access.ShowAsync(request, token, cancellationToken);
        }

        var (opened, refusal) = await gate.OpenAsync(request, token, LinkPurpose.Approval, Texts, cancellationToken);
        if (opened is null)
        {
            return refusal!;
        }

        var (order, target, engagement, caller) = opened;
        if (await AlreadyClosedAsync(order, caller.Reader, cancellationToken) is { } closed)
        {
            return closed;
        }

        var orderer = order.OrdererId == target.Identity.HsaId
            ? PersonNames.Of(caller.Reader, target)
            : await names.OfAsync(caller.Reader, order.OrdererId, cancellationToken);
        var level = levels.Find(order.Level);
        var unit = (await directory.GetOrgTreeAsync(cancellationToken)).Find(engagement.OrgUnitId)?.Name ?? engagement.OrgUnitId;
        return new HtmlPage(StatusCodes.Status200OK, Title)
            .Paragraph("En beställning av användartjänst väntar på ditt godkännande som närmaste chef.")
            .Facts(
                ("Medarbetare", PersonNames.Of(caller.Reader, target).WithHsaId),
                ("Engagemang", $"{engagement.Title}, {unit}"),
                ("Nivå", level is null ? order.Level : $"{level.Level} – {level.Description}"),
                ("Kostnad per månad", level is null ? "–" : $"{level.MonthlyCostSek} kr"),
                ("Aktiveras tidigast", OrderEmails.Date(order.ActivationDate)),
                ("Beställare", orderer.Name),
                ("Kommentar", order.Comment ?? "–"))
            .Form("decision", ("approve", "Godkänn"), ("reject", "Avslå"));
    }

    public async Task<IResult> DecideAsync(HttpRequest request, string token, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (links.PurposeOf(token) == LinkPurpose.AccessApproval)
        {
            return await access.DecideAsync(request, token, durable, cancellationToken);
        }

        var (opened, refusal) = await gate.OpenAsync(request, token, LinkPurpose.Approval, Texts, cancellationToken);
        if (opened is null)
        {
            return refusal!;
        }

        if (await forms.RefuseAsync(request, Title) is { } refused)
        {
            return refused;
        }

        var (order, _, engagement, caller) = opened;
        var outcome = await ReadDecisionAsync(request, cancellationToken);
        if (outcome is null)
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, Title)
                .Paragraph("Beslutet saknas. Öppna länken i e-postmeddelandet igen och välj Godkänn eller Avslå.");
        }

        var (current, recorded, delivered, repeatOfOwn) = await approvals.DecideAsync(caller, order, engagement, outcome.Value, null, durable, cancellationToken);
        if (!delivered)
        {
            return new HtmlPage(StatusCodes.Status503ServiceUnavailable, Title)
                .Paragraph("Beslutet är sparat, men det kunde inte skickas vidare just nu. Ladda om sidan och skicka beslutet igen om en stund.");
        }

        // The caller's own decision sent again while the order still waits for it is the repeat a 503 asked for: it
        // was raised again, so it is answered as the first one should have been, not as a used link.
        if (!recorded && !repeatOfOwn)
        {
            return await AlreadyClosedAsync(current, caller.Reader, cancellationToken) ?? new HtmlPage(StatusCodes.Status409Conflict, Title).Paragraph("Beställningen kan inte beslutas just nu.");
        }

        return new HtmlPage(StatusCodes.Status200OK, Title).Paragraph(current.Approval!.Approved
            ? "Tack! Du har godkänt beställningen. Den går nu vidare till ekonomisk attest i Marknadsplatsen."
            : "Du har avslagit beställningen. Beställaren får ett e-postmeddelande om det.");
    }

    /// <summary>The page for an order that no longer waits; who decided is named as <paramref name="reader"/> may see them (R10).</summary>
    private async Task<IResult?> AlreadyClosedAsync(Order order, Reader reader, CancellationToken cancellationToken)
    {
        if (order.Approval is { } decision)
        {
            var who = decision.By == OrderStep.System
                ? "systemet"
                : (await names.OfAsync(reader, decision.By, cancellationToken)).Name;
            if (decision.Reference is { } manager && decision.By != OrderStep.System)
            {
                who += " som delegat för " + (await names.OfAsync(reader, manager, cancellationToken)).Name;
            }
            var what = decision.Outcome switch
            {
                DecisionOutcome.Approved => "godkänd",
                DecisionOutcome.Rejected => "avslagen",
                _ => "avslutad eftersom ingen svarade i tid",
            };
            return new HtmlPage(StatusCodes.Status409Conflict, Title)
                .Paragraph($"Beställningen är redan {what} av {who} den {decision.At.ToOffset(StockholmTime.Zone.GetUtcOffset(decision.At)):yyyy-MM-dd HH:mm}. Länken kan bara användas en gång.");
        }

        return order.Status == OrderStatus.PendingApproval
            ? null
            : new HtmlPage(StatusCodes.Status409Conflict, Title).Paragraph($"Beställningen väntar inte längre på godkännande (status: {order.Status.InSwedish()}).");
    }

    private static async Task<DecisionOutcome?> ReadDecisionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        var form = await request.ReadFormAsync(cancellationToken);
        return form["decision"].ToString() switch
        {
            "approve" => DecisionOutcome.Approved,
            "reject" => DecisionOutcome.Rejected,
            _ => null,
        };
    }
}
