using Behorighetsportal.Amu.Pages;
using Behorighetsportal.Approvals.Pages;
using Behorighetsportal.Delegations.Pages;
using Behorighetsportal.Directory.Pages;
using Behorighetsportal.OrdererRoles.Pages;
using Behorighetsportal.Orders.Pages;
using Behorighetsportal.Passwords.Pages;
using Behorighetsportal.Policies.Pages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Portal;

/// <summary>
/// The portal's pages for people (API.md "Pages"): each capability declares its own pages' routes and handlers;
/// this is the one list of them. The devhost maps it; the Functions app's page triggers are checked against it.
/// </summary>
public static class PortalPages
{
    public static IServiceCollection AddPortalPages(this IServiceCollection services)
    {
        services.AddSingleton<StartPages>();
        services.AddSingleton<PasswordPages>();
        services.AddSingleton<ApprovalPages>();
        services.AddSingleton<OrderPages>().AddSingleton<OrderTexts>();
        services.AddSingleton<OrdererRolePages>();
        services.AddSingleton<DelegationPages>();
        services.AddSingleton<AmuPages>();
        services.AddSingleton<PolicyPages>();
        services.AddSingleton<PeoplePages>();
        return services;
    }

    /// <summary>Pages check their forms' antiforgery tokens themselves (PageSession), the same way in both hosts.</summary>
    public static void MapPortalPages(this IEndpointRouteBuilder app)
    {
        StartPages.Map(app);
        PasswordPages.Map(app);
        ApprovalPages.Map(app);
        OrderPages.Map(app);
        OrdererRolePages.Map(app);
        DelegationPages.Map(app);
        AmuPages.Map(app);
        PolicyPages.Map(app);
        PeoplePages.Map(app);
    }
}
