using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Passwords.Pages;

/// <summary>GET /losenord.</summary>
public sealed class PasswordPages(PageSession session, WaitingPasswords waiting)
{
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
