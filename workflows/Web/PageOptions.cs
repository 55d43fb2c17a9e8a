using System.ComponentModel.DataAnnotations;

namespace Behorighetsportal.Web;

/// <summary>Where a reader signs in and out: App Service Authentication in Azure, the dev sign-in in the devhost.</summary>
public sealed class PageOptions
{
    public const string SectionName = "Pages";

    /// <summary>The sign-in address; <c>{0}</c> is replaced by the escaped local path to come back to.</summary>
    [Required]
    public string SignInUrl { get; set; } = "/.auth/login/aad?post_login_redirect_uri={0}";

    [Required]
    public string SignOutUrl { get; set; } = PageFrame.DefaultSignOutUrl;

    public string SignInFor(string returnPath) => SignInUrl.Replace("{0}", Uri.EscapeDataString(returnPath), StringComparison.Ordinal);
}
