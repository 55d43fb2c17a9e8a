using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Passwords;

/// <summary>
/// GET and POST /api/passwords/{token}: the line manager fetches the initial password (R6, R7). The GET shows
/// whose password it is and a button — mail scanners open links — and the POST shows the password once and
/// erases it. The caller must be the one the link was mailed to and still the engagement's manager.
/// </summary>
public sealed class PasswordEndpoints(
    OrderLinkGate gate,
    FormPosts forms,
    PersonNames names,
    InitialPasswordVault vault,
    AuditLog audit,
    TimeProvider clock,
    ILogger<PasswordEndpoints> logger)
{
    private const string Title = "Initialt lösenord";

    private static readonly LinkPageTexts Texts = new(
        Title,
        Invalid: "Länken är ogiltig. Kontrollera att hela länken från e-postmeddelandet kom med.",
        Expired: "Länken har gått ut. Kontakta VGR support, 010-47 37 100 knappval 1, för ett nytt lösenord.",
        NotForYou: "Den här länken gäller inte för dig, eller så har du inte längre chefsrollen för medarbetaren. Lösenordet hämtas av medarbetarens närmaste chef eller chefens delegat.");

    public async Task<IResult> ShowAsync(HttpRequest request, string token, CancellationToken cancellationToken)
    {
        var (context, refusal) = await OpenAsync(request, token, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var (order, target, _, _) = context!.Value;
        return new HtmlPage(StatusCodes.Status200OK, Title)
            .Paragraph($"Här hämtar du det initiala lösenordet till användartjänsten {order.Level} för {target.WithHsaId}.")
            .Paragraph("Lösenordet visas en gång och raderas sedan. Ha medarbetaren nära till hands innan du visar det.")
            .Form("show", ("yes", "Visa lösenordet"));
    }

    public async Task<IResult> RevealAsync(HttpRequest request, string token, CancellationToken cancellationToken)
    {
        var (context, refusal) = await OpenAsync(request, token, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await forms.RefuseAsync(request, Title) is { } refused)
        {
            return refused;
        }

        var (order, target, reader, _) = context!.Value;
        var caller = reader.HsaId;
        var now = clock.GetUtcNow();
        var reveal = await vault.RevealOnceAsync(order.IdentityId, order.EngagementId, order.OrderId, caller, now, cancellationToken);
        switch (reveal.Outcome)
        {
            case RevealOutcome.Gone:
                return await AlreadyShownAsync(order, reader, cancellationToken);
            case RevealOutcome.KeyMissing:
                return new HtmlPage(StatusCodes.Status503ServiceUnavailable, Title)
                    .Paragraph("Lösenordet kan inte visas just nu på grund av ett tekniskt fel. Det är inte raderat: försök igen senare med samma länk.")
                    .Paragraph("Kvarstår felet, kontakta VGR support, 010-47 37 100 knappval 1.");
        }

        var password = reveal.Password!;

        await audit.AppendAsync(new AuditEntry(order.OrderId, now, "InitialPasswordShown", caller), cancellationToken);
        OrderLog.PasswordShown(logger, order.OrderId, caller);
        return new HtmlPage(StatusCodes.Status200OK, Title)
            .Paragraph($"Initialt lösenord för {target.WithHsaId}:")
            .Secret("Lösenord", password)
            .Paragraph("Lämna lösenordet till medarbetaren personligen. Det visas inte igen; medarbetaren byter det vid första inloggningen.");
    }

    /// <summary>The opened link: the order, whose password it is as the caller may see them (R10), and the caller.</summary>
    private async Task<((Order Order, PersonName Target, Reader Caller, InitialPasswordState State)?, IResult?)> OpenAsync(
        HttpRequest request, string token, CancellationToken cancellationToken)
    {
        var (opened, refusal) = await gate.OpenAsync(request, token, LinkPurpose.InitialPassword, Texts, cancellationToken);
        if (opened is null)
        {
            return (null, refusal);
        }

        var (order, target, _, caller) = opened;
        var state = await vault.GetStateAsync(order.IdentityId, order.EngagementId, cancellationToken);
        if (state is null || state.OrderId != order.OrderId)
        {
            return (null, new HtmlPage(StatusCodes.Status404NotFound, Title)
                .Paragraph("Det finns inget initialt lösenord att hämta för den här beställningen. Medarbetarens tidigare lösenord gäller."));
        }

        if (state.Shown)
        {
            return (null, await AlreadyShownAsync(order, caller.Reader, cancellationToken));
        }

        return ((order, PersonNames.Of(caller.Reader, target), caller.Reader, state), null);
    }

    private async Task<IResult> AlreadyShownAsync(Order order, Reader reader, CancellationToken cancellationToken)
    {
        var state = await vault.GetStateAsync(order.IdentityId, order.EngagementId, cancellationToken);
        var who = state?.ShownBy is { } by ? (await names.OfAsync(reader, by, cancellationToken)).Name : "okänd";
        var when = state?.ShownAt is { } at ? TimeZoneInfo.ConvertTime(at, StockholmTime.Zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "tidigare";
        return new HtmlPage(StatusCodes.Status410Gone, Title)
            .Paragraph($"Lösenordet har redan visats ({when}, för {who}) och är raderat. Behövs ett nytt lösenord: kontakta VGR support, 010-47 37 100 knappval 1.");
    }
}
