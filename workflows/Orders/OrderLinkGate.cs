using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Orders;

/// <summary>What a link page says when its link cannot be used.</summary>
public sealed record LinkPageTexts(string Title, string Invalid, string Expired, string NotForYou);

/// <summary>An order link opened by someone who may use it now.</summary>
public sealed record OpenedOrderLink(Order Order, Person Target, Engagement Engagement, Caller Caller);

/// <summary>
/// The checks every emailed order link passes before its page does anything: the token is genuine, unexpired and
/// made for this purpose; the caller is signed in, is the person it was mailed to, and holds the engagement's
/// manager role now (as manager or active delegate). Rights are checked when the link is used, not when it was
/// mailed, so a link stops working the moment its holder loses the role. An approval link is refused to the person the
/// order is about, whoever it was mailed to (R14).
/// </summary>
public sealed class OrderLinkGate(CallerResolver callers, LinkSigner links, OrderRepository orders, DirectoryRepository directory)
{
    public async Task<(OpenedOrderLink? Opened, IResult? Refusal)> OpenAsync(
        HttpRequest request, string token, LinkPurpose purpose, LinkPageTexts texts, CancellationToken cancellationToken)
    {
        switch (links.TryRead(token, purpose, out var link))
        {
            case LinkProblem.Invalid:
                return (null, new HtmlPage(StatusCodes.Status400BadRequest, texts.Title).Paragraph(texts.Invalid));
            case LinkProblem.Expired:
                return (null, new HtmlPage(StatusCodes.Status410Gone, texts.Title).Paragraph(texts.Expired));
        }

        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return (null, new HtmlPage(StatusCodes.Status401Unauthorized, texts.Title).Paragraph("Logga in med ditt SITHS-kort och öppna länken igen."));
        }

        var order = await orders.GetAsync(link!.Subject, cancellationToken);
        var target = order is null ? null : await directory.GetPersonAsync(order.IdentityId, cancellationToken);
        var engagement = target?.FindEngagement(order!.EngagementId);
        if (caller.HsaId == link.Recipient && engagement is not null && purpose == LinkPurpose.Approval
            && !SeparationOfDuties.MayDecide(caller.HsaId, order!.IdentityId))
        {
            // The order is about its reader: telling them so tells them nothing they do not know.
            return (null, new HtmlPage(StatusCodes.Status403Forbidden, texts.Title).Paragraph(SeparationOfDuties.OwnRequestRefusal));
        }

        if (caller.HsaId != link.Recipient || engagement is null || !caller.ActsAsManager(engagement.ManagerHsaId))
        {
            // One answer whether the link is someone else's or the caller no longer holds the manager role: it
            // must not tell who the order is for.
            return (null, new HtmlPage(StatusCodes.Status403Forbidden, texts.Title).Paragraph(texts.NotForYou));
        }

        return (new OpenedOrderLink(order!, target!, engagement, caller), null);
    }
}
