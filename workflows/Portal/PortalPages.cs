using Behorighetsportal.Approvals.Pages;
using Behorighetsportal.Directory.Pages;
using Behorighetsportal.Orders.Pages;
using Behorighetsportal.Passwords.Pages;
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
        PeoplePages.Map(app);
    }
}
