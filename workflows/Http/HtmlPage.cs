using Behorighetsportal.Web;
using Behorighetsportal.Web.Layout;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Http;

/// <summary>
/// A short Swedish page for people who follow an email link (approval, password) and for the dev sign-in, built from
/// blocks and rendered in the portal's layout (<see cref="SimplePage"/>). Never cached: it may show a password or a
/// decision that changes. Every form carries an antiforgery token, made when the page is sent (<see cref="FormPosts"/>
/// checks it), and no other site may frame the page (clickjacking).
/// </summary>
public sealed class HtmlPage(int statusCode, string title) : IResult
{
    private readonly List<SimplePage.Block> _blocks = [];

    public HtmlPage Paragraph(string text)
    {
        _blocks.Add(new SimplePage.Text(text));
        return this;
    }

    public HtmlPage Facts(params (string Label, string Value)[] facts)
    {
        _blocks.Add(new SimplePage.FactList(facts));
        return this;
    }

    /// <summary>A value shown large and selectable (the password), marked so tests and screen readers find it.</summary>
    public HtmlPage Secret(string label, string value)
    {
        _blocks.Add(new SimplePage.SecretValue(label, value));
        return this;
    }

    /// <summary>A form that posts back to the same address; each button sends <c>name=value</c>.</summary>
    public HtmlPage Form(string fieldName, params (string Value, string Label)[] buttons) => Form(action: null, hidden: [], fieldName, buttons);

    /// <summary>A form that posts to <paramref name="action"/> (a local path; null for the same address) with hidden fields.</summary>
    public HtmlPage Form(string? action, IReadOnlyList<(string Name, string Value)> hidden, string fieldName, params (string Value, string Label)[] buttons)
    {
        _blocks.Add(new SimplePage.ButtonForm(action, hidden, fieldName, buttons));
        return this;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // The header names whoever is signed in; a link page is also read by someone who is not (or not any more).
        var services = httpContext.RequestServices;
        Caller? caller;
        try
        {
            caller = await services.GetRequiredService<CallerResolver>().ResolveAsync(httpContext.Request, httpContext.RequestAborted);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or IOException or TimeoutException or HttpRequestException)
        {
            // The page may itself be the answer to storage being away ("försök igen"): it is shown without a name.
            caller = null;
        }

        var frame = services.GetRequiredService<PageSession>().Frame(httpContext, title,
            caller is null ? null : new Viewer(caller.HsaId, caller.Person.Identity.FullName));
        await Page.Render<SimplePage>(new Dictionary<string, object?>
        {
            [nameof(SimplePage.Frame)] = frame,
            [nameof(SimplePage.Blocks)] = _blocks,
        }, statusCode).ExecuteAsync(httpContext);
    }
}
