using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Behorighetsportal.Passwords.Pages;

/// <summary>GET /losenord.</summary>
public sealed class PasswordPages(PageSession session, WaitingPasswords waiting)
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/losenord", (HttpContext c, PasswordPages h, CancellationToken ct) => h.ListAsync(c, ct));

    public async Task<IResult> ListAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Initiala lösenord", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        return Page.Render<PasswordsPage>(new Dictionary<string, object?>
        {
            [nameof(PasswordsPage.Frame)] = page.Frame,
            [nameof(PasswordsPage.Waiting)] = await waiting.ForAsync(page.Caller, cancellationToken),
        });
    }
}
