using Behorighetsportal.Links;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Http;

/// <summary>
/// Whether a request that changes state was sent by a page of another site (CSRF): people are signed in by a session
/// cookie, so any site a manager visits can make the browser post. Browsers say where a request comes from in
/// <c>Sec-Fetch-Site</c> and <c>Origin</c>; a request with neither (curl, tests, the integrations) is not a browser's and
/// passes, and a system caller with its key is exempt (a page cannot add the key header without a CORS preflight, which
/// the portal never answers). Reading requests (GET, HEAD) are never refused: a link in an email opens from webmail,
/// another site.
/// </summary>
/// <remarks>
/// Checked in the handlers' shared request reading (<see cref="CallerResolver"/>, <see cref="FormPosts"/>, the system
/// routes), not as middleware: the Functions worker's ASP.NET Core pipeline is fixed by the platform, so only the shared
/// handler path is sure to run the same check in both hosts.
/// </remarks>
public sealed class SameOriginPolicy(CallerReader reader, IOptions<PortalOptions> portal)
{
    public const string FetchSiteHeader = "Sec-Fetch-Site";

    private readonly Uri? _portal = Uri.TryCreate(portal.Value.BaseUrl, UriKind.Absolute, out var baseUrl) ? baseUrl : null;

    public bool IsCrossSite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || reader.SystemOf(request) is not null)
        {
            return false;
        }

        var site = request.Headers[FetchSiteHeader].ToString();
        var origin = request.Headers.Origin.ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (origin.Length > 0)
        {
            return !IsOwn(origin, request);
        }

        // Another origin of the same site (a sibling subdomain) without an Origin to show it is the portal's own.
        return site.Equals("same-site", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The request's own origin, or the portal's public one (Portal:BaseUrl) where a proxy in front changes the host.</summary>
    private bool IsOwn(string origin, HttpRequest request)
    {
        // "null" (a sandboxed page, a redirect across sites) and anything unreadable is nobody's own.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var sent) || sent.AbsolutePath != "/" || !request.Host.HasValue)
        {
            return false;
        }

        return (Uri.TryCreate($"{request.Scheme}://{request.Host.Value}", UriKind.Absolute, out var own) && SameOrigin(sent, own))
            || (_portal is not null && SameOrigin(sent, _portal));
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
