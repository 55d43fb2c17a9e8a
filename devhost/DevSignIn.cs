using System.Net;
using System.Text;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;

namespace Behorighetsportal.DevHost;

/// <summary>
/// Local stand-in for App Service Authentication: <c>/dev/sign-in</c> lets a developer choose a demo person,
/// remembers the choice in a cookie, and turns it into the <c>X-MS-CLIENT-PRINCIPAL</c> header the platform
/// would send — so email links open in a browser as that person. A request that carries the header itself
/// (tests, curl) is left as it is.
/// </summary>
public static class DevSignIn
{
    private const string Cookie = "devhost-hsa-id";

    public static void UseDevSignIn(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Headers.ContainsKey(CallerReader.PrincipalHeader)
                && context.Request.Cookies.TryGetValue(Cookie, out var hsaId) && !string.IsNullOrEmpty(hsaId))
            {
                context.Request.Headers[CallerReader.PrincipalHeader] = CallerReader.PrincipalFor(hsaId);
            }

            await next();
        });

        app.MapGet("/dev/sign-in", (TimeProvider clock) =>
        {
            var demo = DemoOrganization.Load(StockholmTime.Today(clock));
            var html = new StringBuilder("<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Logga in (devhost)</title></head><body style=\"font-family:sans-serif\">")
                .Append("<h1>Logga in som demoperson</h1><p>Endast devhost: i Azure loggar App Service Authentication in med SITHS.</p><form method=\"post\">");
            foreach (var person in demo.Identities)
            {
                html.Append("<p><button name=\"hsaId\" value=\"").Append(WebUtility.HtmlEncode(person.HsaId)).Append("\">")
                    .Append(WebUtility.HtmlEncode(person.FullName)).Append("</button> ").Append(WebUtility.HtmlEncode(person.HsaId)).Append("</p>");
            }

            return Results.Content(html.Append("</form></body></html>").ToString(), "text/html; charset=utf-8");
        });

        app.MapPost("/dev/sign-in", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            context.Response.Cookies.Append(Cookie, form["hsaId"].ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax });
            return Results.Content($"<!DOCTYPE html><html lang=\"sv\"><body style=\"font-family:sans-serif\"><p>Inloggad som {WebUtility.HtmlEncode(form["hsaId"].ToString())}. Öppna länken i e-postmeddelandet igen.</p></body></html>", "text/html; charset=utf-8");
        }).DisableAntiforgery();
    }
}
