using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Web;

/// <summary>
/// A portal page: a Razor component rendered on the server for this one request (static SSR through
/// <see cref="HtmlRenderer"/>, so it runs the same in the Functions app and the devhost, with no circuit and no
/// script needed). Every page may show personal data, so none is cached or framed.
/// </summary>
public sealed class PageResult<TComponent>(IReadOnlyDictionary<string, object?> parameters, int statusCode) : IResult
    where TComponent : IComponent
{
    public int StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters.ToDictionary()))).ToHtmlString());

        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        PageHeaders.Apply(response);
        await response.WriteAsync("<!DOCTYPE html>\n" + html, httpContext.RequestAborted);
    }
}

/// <summary>Renders pages; handlers say which component with which parameters.</summary>
public static class Page
{
    public static PageResult<TComponent> Render<TComponent>(IReadOnlyDictionary<string, object?> parameters, int statusCode = StatusCodes.Status200OK)
        where TComponent : IComponent => new(parameters, statusCode);
}

/// <summary>The headers of every page and asset the portal serves.</summary>
public static class PageHeaders
{
    /// <summary>Nothing by default; scripts and styles only from the portal itself (none inline), never framed, forms only back to it.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        // same-origin, not no-referrer: the link tokens in a page's address still never leave the portal, but a browser
        // keeps sending Origin with the page's own form posts; under no-referrer it sends "Origin: null", which the
        // same-origin check must refuse, so every form was refused in a real browser.
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers["X-Frame-Options"] = "DENY";
        response.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
    }
}
