namespace Behorighetsportal.Web;

/// <summary>Who reads the page, as the header shows them.</summary>
public sealed record Viewer(string HsaId, string Name);

/// <summary>The antiforgery field every form of the page carries (IAntiforgery's request token).</summary>
public sealed record FormToken(string FieldName, string Value);

/// <summary>
/// What the layout needs around a page: its title, the signed-in reader (none on a link page opened by someone not
/// signed in), the path (for the current menu item) and the form token.
/// </summary>
public sealed record PageFrame(string Title, Viewer? Viewer, string Path, FormToken? Form, string SignOutUrl = PageFrame.DefaultSignOutUrl)
{
    /// <summary>App Service Authentication's sign-out.</summary>
    public const string DefaultSignOutUrl = "/.auth/logout";
}
