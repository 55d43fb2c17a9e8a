using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>
/// What every HTML form post (approval, password, dev sign-in) passes before it changes anything: it comes from the
/// portal's own pages (<see cref="SameOriginPolicy"/>), it is a form, and it carries the antiforgery token the page
/// was rendered with (<see cref="HtmlPage.Form(string, (string Value, string Label)[])"/>), bound to the person signed in.
/// Checked after the page's own sign-in and link checks, as ASP.NET Core checks tokens after authorization, so a
/// person who may not use a link is told that first.
/// </summary>
public sealed class FormPosts(SameOriginPolicy origins, IAntiforgery antiforgery)
{
    /// <summary>Null when the form may be acted on; otherwise the Swedish page to answer with.</summary>
    public async Task<IResult?> RefuseAsync(HttpRequest request, string title)
    {
        if (origins.IsCrossSite(request))
        {
            return new HtmlPage(StatusCodes.Status403Forbidden, title)
                .Paragraph("Formuläret skickades från en annan webbplats och har inte utförts. Öppna länken i e-postmeddelandet igen och välj på sidan som öppnas.");
        }

        if (!request.HasFormContentType)
        {
            return new HtmlPage(StatusCodes.Status415UnsupportedMediaType, title)
                .Paragraph("Formuläret kunde inte läsas och har inte utförts. Öppna sidan igen och använd knapparna på den.");
        }

        bool valid;
        try
        {
            valid = await antiforgery.IsRequestValidAsync(request.HttpContext);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            valid = false;
        }

        return valid
            ? null
            : new HtmlPage(StatusCodes.Status400BadRequest, title)
                .Paragraph("Formuläret har gått ut eller kom inte från den här sidan, så inget har ändrats. Öppna länken igen och välj på nytt.");
    }
}
