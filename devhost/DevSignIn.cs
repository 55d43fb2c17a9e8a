using Behorighetsportal.Directory;
using Behorighetsportal.Http;

namespace Behorighetsportal.DevHost;

/// <summary>
/// Local stand-in for App Service Authentication: <c>/dev/sign-in</c> lets a developer choose a demo person,
/// remembers the choice in a cookie, and turns it into the <c>X-MS-CLIENT-PRINCIPAL</c> header the platform
/// would send — so email links open in a browser as that person. A request that carries the header itself
/// (tests, curl) is left as it is. Only where there are demo people to be: in Development or with <c>Demo:Seed</c> on;
/// anywhere else the cookie means nothing and the routes do not exist.
/// </summary>
public static class DevSignIn
{
    public const string Cookie = "devhost-hsa-id";

    private const string Title = "Logga in (devhost)";

    public static void UseDevSignIn(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && !DevHostSettings.DemoSeed(app.Configuration))
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            if (!context.Request.Headers.ContainsKey(CallerReader.PrincipalHeader)
                && context.Request.Cookies.TryGetValue(Cookie, out var hsaId) && !string.IsNullOrEmpty(hsaId))
            {
                context.Request.Headers[CallerReader.PrincipalHeader] = CallerReader.PrincipalFor(hsaId);
            }

            await next();
        });

        app.MapGet("/dev/sign-in", ShowAsync);
        app.MapPost("/dev/sign-in", SignInAsync);
        app.MapPost("/dev/sign-out", SignOutAsync);
    }

    /// <summary>A path of this site to go back to: one leading slash, so never <c>//host</c> or <c>/\host</c> (an open redirect).</summary>
    public static string? LocalPath(string? url) =>
        url is { Length: > 0 and <= 2048 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl)
            ? url
            : null;

    private static async Task<IResult> ShowAsync(HttpRequest request, CallerResolver callers, TimeProvider clock, CancellationToken cancellationToken)
    {
        var page = new HtmlPage(StatusCodes.Status200OK, Title)
            .Paragraph("Endast devhost: i Azure loggar App Service Authentication in med SITHS.");
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            page.Paragraph("Du är inte inloggad.");
        }
        else
        {
            page.Paragraph($"Inloggad som {caller.Person.Identity.FullName} ({caller.HsaId}).")
                .Form("/dev/sign-out", [], "signOut", ("yes", "Logga ut"));
        }

        var back = LocalPath(request.Query["returnUrl"]);
        var people = DemoOrganization.Load(StockholmTime.Today(clock)).Identities.Select(p => (p.HsaId, $"{p.FullName} ({p.HsaId})")).ToArray();
        return page.Paragraph(back is null ? "Välj vem du vill vara:" : $"Välj vem du vill vara; sedan kommer du tillbaka till {back}.")
            .Form("/dev/sign-in", back is null ? [] : [("returnUrl", back)], "hsaId", people);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, FormPosts forms, DirectoryRepository directory, CancellationToken cancellationToken)
    {
        if (await forms.RefuseAsync(context.Request, Title) is { } refused)
        {
            return refused;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var hsaId = form["hsaId"].ToString();
        var person = hsaId.Length is > 0 and <= 64 ? await directory.GetIdentityAsync(hsaId, cancellationToken) : null;
        if (person is null)
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, Title).Paragraph("Personen finns inte i katalogen. Välj en demoperson i listan.");
        }

        context.Response.Cookies.Append(Cookie, person.HsaId, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });
        return LocalPath(form["returnUrl"]) is { } back
            ? Results.Redirect(back)
            : new HtmlPage(StatusCodes.Status200OK, Title).Paragraph($"Inloggad som {person.FullName} ({person.HsaId}). Öppna länken i e-postmeddelandet igen.");
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, FormPosts forms)
    {
        if (await forms.RefuseAsync(context.Request, Title) is { } refused)
        {
            return refused;
        }

        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });
        return Results.Redirect("/dev/sign-in");
    }
}
