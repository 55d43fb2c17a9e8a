using Behorighetsportal.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Http;

/// <summary>A page request's reader and frame; for a POST, whether its antiforgery token holds.</summary>
public sealed record PageRequest(Caller Caller, PageFrame Frame)
{
    public PageFrame Titled(string title) => Frame with { Title = title };
}

/// <summary>
/// What every page handler does first: who reads (a person signed in by App Service Authentication; anyone else
/// is sent to sign in), the frame the layout shows, and the form token. Pages call the capabilities' services
/// with the caller, exactly as the JSON routes do.
/// </summary>
public sealed class PageSession(CallerResolver callers, FormPosts forms, IAntiforgery antiforgery, IOptions<PageOptions> options)
{
    /// <summary>The reader, or the answer to give instead: a redirect to sign in, or 403 for a form without its token.</summary>
    public async Task<(PageRequest? Page, IResult? Answer)> OpenAsync(HttpContext context, string title, CancellationToken cancellationToken)
    {
        // A form from another site, or without the token its page was rendered with, is refused before anything is read.
        if (HttpMethods.IsPost(context.Request.Method) && await forms.RefuseAsync(context.Request, title) is { } refused)
        {
            return (null, refused);
        }

        var caller = await callers.ResolveAsync(context.Request, cancellationToken);
        if (caller is null)
        {
            var path = context.Request.Path + context.Request.QueryString;
            return (null, HttpMethods.IsGet(context.Request.Method)
                ? Results.Redirect(options.Value.SignInFor(path))
                : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Du är inte inloggad", detail: "Logga in och försök igen."));
        }

        return (new PageRequest(caller, Frame(context, title, new Viewer(caller.HsaId, caller.Person.Identity.FullName))), null);
    }

    /// <summary>The frame for a page whose reader may not be signed in (a link page); never null.</summary>
    public PageFrame Frame(HttpContext context, string title, Viewer? viewer)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new PageFrame(title, viewer, context.Request.Path.Value ?? "/",
            tokens.RequestToken is { } value ? new FormToken(tokens.FormFieldName, value) : null, options.Value.SignOutUrl);
    }
}
