using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Requests;

/// <summary>
/// The approval page for orderer-role orders and AMU applications, behind the same /api/approvals/{token} route as
/// order approvals. GET shows, POST decides; the first decision wins. The caller must be the person the link was
/// mailed to and still the approver: the person's nearest manager or an active delegate (R9), or the group's owner (R11) —
/// and never the person the request is about (R14). Everyone the pages name is named as the caller may see them (R10).
/// </summary>
public sealed class AccessApprovalEndpoints(
    CallerResolver callers, FormPosts forms, LinkSigner links, AccessRequestRepository requests, AccessRequestTexts texts, DirectoryRepository directory,
    PersonNames names, AccessApprovals approvals)
{
    private const string Title = "Godkännande";

    public async Task<IResult> ShowAsync(HttpRequest request, string token, CancellationToken cancellationToken)
    {
        var (opened, refusal) = await OpenAsync(request, token, cancellationToken);
        if (opened is null)
        {
            return refusal!;
        }

        var (access, subjectName, caller) = opened.Value;
        if (access.Status != AccessRequestStatus.PendingApproval)
        {
            return await ClosedAsync(access, caller.Reader, cancellationToken);
        }

        return new HtmlPage(StatusCodes.Status200OK, Title)
            .Paragraph($"{PersonName.Sentence(subjectName)} väntar på ditt godkännande.")
            .Facts(("Gäller", await texts.SummaryAsync(access)), ("Motivering", access.Motivation ?? "–"))
            .Form("decision", ("approve", "Godkänn"), ("reject", "Avslå"));
    }

    public async Task<IResult> DecideAsync(HttpRequest request, string token, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (opened, refusal) = await OpenAsync(request, token, cancellationToken);
        if (opened is null)
        {
            return refusal!;
        }

        if (await forms.RefuseAsync(request, Title) is { } refused)
        {
            return refused;
        }

        var (access, _, caller) = opened.Value;
        DecisionOutcome? outcome = request.HasFormContentType
            ? (await request.ReadFormAsync(cancellationToken))["decision"].ToString() switch
            {
                "approve" => DecisionOutcome.Approved,
                "reject" => DecisionOutcome.Rejected,
                _ => null,
            }
            : null;
        if (outcome is null)
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, Title).Paragraph("Beslutet saknas. Öppna länken igen och välj Godkänn eller Avslå.");
        }

        var (current, recorded, delivered, repeatOfOwn) = await approvals.DecideAsync(caller, access, outcome.Value, null, durable, cancellationToken);
        if (!delivered)
        {
            return new HtmlPage(StatusCodes.Status503ServiceUnavailable, Title)
                .Paragraph("Beslutet är sparat, men det kunde inte skickas vidare just nu. Ladda om sidan och skicka beslutet igen om en stund.");
        }

        return recorded || repeatOfOwn
            ? new HtmlPage(StatusCodes.Status200OK, Title).Paragraph(outcome == DecisionOutcome.Approved
                ? "Tack! Du har godkänt. Behörigheten ges när den börjar gälla."
                : "Du har avslagit. Den som ansökte får ett e-postmeddelande om det.")
            : await ClosedAsync(current, caller.Reader, cancellationToken);
    }

    private async Task<((AccessRequest Request, string SubjectName, Caller Caller)?, IResult?)> OpenAsync(
        HttpRequest request, string token, CancellationToken cancellationToken)
    {
        switch (links.TryRead(token, LinkPurpose.AccessApproval, out var link))
        {
            case LinkProblem.Invalid:
                return (null, new HtmlPage(StatusCodes.Status400BadRequest, Title).Paragraph("Länken är ogiltig. Kontrollera att hela länken från e-postmeddelandet kom med."));
            case LinkProblem.Expired:
                return (null, new HtmlPage(StatusCodes.Status410Gone, Title).Paragraph("Länken har gått ut. Den som ansökte kan göra en ny begäran."));
        }

        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return (null, new HtmlPage(StatusCodes.Status401Unauthorized, Title).Paragraph("Logga in med ditt SITHS-kort och öppna länken igen."));
        }

        var parts = link!.Subject.Split('|');
        var access = parts.Length == 2 ? await requests.GetAsync(parts[0], parts[1], cancellationToken) : null;
        if (access is not null && caller.HsaId == link.Recipient && !SeparationOfDuties.MayDecide(caller.HsaId, access.SubjectId))
        {
            // The request is about its reader: telling them so tells them nothing they do not know.
            return (null, new HtmlPage(StatusCodes.Status403Forbidden, Title).Paragraph(SeparationOfDuties.OwnRequestRefusal));
        }

        var holdsRole = access is not null && caller.HsaId == link.Recipient && (access.Kind == AccessRequestKind.OrdererRole
            ? caller.ActsAsManager(access.ApproverId)
            : caller.HsaId == access.ApproverId);
        if (!holdsRole)
        {
            return (null, new HtmlPage(StatusCodes.Status403Forbidden, Title)
                .Paragraph("Den här länken gäller inte för dig, eller så får du inte längre godkänna den här begäran."));
        }

        var subject = await directory.GetPersonAsync(access!.SubjectId, cancellationToken);
        var name = subject is null ? new PersonName(PersonNames.Protected, null) : PersonNames.Of(caller.Reader, subject);
        return ((access, name.WithHsaId, caller), null);
    }

    /// <summary>The page for a request that no longer waits; who decided is named as <paramref name="reader"/> may see them (R10).</summary>
    private async Task<IResult> ClosedAsync(AccessRequest access, Reader reader, CancellationToken cancellationToken)
    {
        if (access.Approval is { } decision && decision.By != "system")
        {
            var who = (await names.OfAsync(reader, decision.By, cancellationToken)).Name;
            return new HtmlPage(StatusCodes.Status409Conflict, Title).Paragraph(
                $"Begäran är redan {(decision.Approved ? "godkänd" : "avslagen")} av {who}. Länken kan bara användas en gång.");
        }

        return new HtmlPage(StatusCodes.Status409Conflict, Title).Paragraph("Begäran väntar inte längre på godkännande (den har upphört).");
    }
}
