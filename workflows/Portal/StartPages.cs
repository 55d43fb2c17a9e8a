using Behorighetsportal.Approvals;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Passwords;
using Behorighetsportal.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Behorighetsportal.Portal;

/// <summary>GET /: the start page — who I am, my roles now, and what waits for me.</summary>
public sealed class StartPages(
    PageSession session, DirectoryRepository directory, DelegationRepository delegations, WaitingPasswords passwords, OrderQueries orders,
    ApprovalQueue approvals)
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext c, StartPages h, CancellationToken ct) => h.ShowAsync(c, ct));
        app.MapGet("/assets/{name}", (string name) => AssetEndpoints.Get(name));
    }

    public async Task<IResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Start", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var caller = page.Caller;
        List<string> roles = [];
        if ((await directory.GetManagedEngagementsAsync(caller.HsaId, cancellationToken)).Count > 0)
        {
            roles.Add("Chef");
        }

        var received = await delegations.ListReceivedAsync(caller.HsaId, cancellationToken);
        var given = await delegations.ListGivenAsync(caller.HsaId, cancellationToken);
        roles.AddRange(received.Where(d => d.IsActiveOn(caller.Today)).Select(_ => "Chef (delegerad)"));
        roles.AddRange(caller.Person.OrdererRoles.Where(r => r.IsValidOn(caller.Today)).Select(r => "Beställare (SDA) för " + string.Join(", ", r.OrgUnitIds)));

        var inProgress = (await orders.ListAsync(caller, cancellationToken)).Count(o => !o.Status.IsFinal());
        List<StartPage.WaitingItem> waiting =
        [
            new((await approvals.ForAsync(caller, cancellationToken)).Count, "att godkänna", "/godkannanden"),
            new((await passwords.ForAsync(caller, cancellationToken)).Count, "initiala lösenord att hämta", "/losenord"),
            new(inProgress, "beställningar pågår", "/bestallningar"),
            new(given.Count(d => d.Status is DelegationStatus.Scheduled or DelegationStatus.Active), "delegeringar du har gett", "/delegeringar"),
            new(received.Count(d => d.Status is DelegationStatus.Scheduled or DelegationStatus.Active), "delegeringar du har fått", "/delegeringar"),
        ];

        return Page.Render<StartPage>(new Dictionary<string, object?>
        {
            [nameof(StartPage.Frame)] = page.Frame,
            [nameof(StartPage.GivenName)] = caller.Person.Identity.GivenName,
            [nameof(StartPage.Roles)] = roles,
            [nameof(StartPage.Waiting)] = waiting,
        });
    }
}
