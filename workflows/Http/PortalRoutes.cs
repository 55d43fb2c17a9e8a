namespace Behorighetsportal.Http;

/// <summary>
/// The JSON routes of API.md this build serves; both hosts must expose exactly these (a test checks). The pages are
/// declared by their capabilities (<c>Portal.PortalPages</c>), and the Functions app's page triggers are checked
/// against the devhost's.
/// </summary>
public static class PortalRoutes
{
    /// <summary>The JSON API and the email link pages, under <c>api/</c>.</summary>
    public static readonly IReadOnlyList<(string Method, string Route)> All =
    [
        ("GET", "api/health"),
        ("GET", "api/me"),
        ("GET", "api/me/assignments"),
        ("GET", "api/me/approvals"),
        ("GET", "api/identities"),
        ("GET", "api/identities/{hsaId}"),
        ("POST", "api/orders"),
        ("GET", "api/orders/{orderId}"),
        ("POST", "api/orders/{orderId}/cancel"),
        ("GET", "api/approvals/{token}"),
        ("POST", "api/approvals/{token}"),
        ("POST", "api/attestations/{orderId}"),
        ("GET", "api/passwords/{token}"),
        ("POST", "api/passwords/{token}"),
        ("POST", "api/delegations"),
        ("GET", "api/delegations"),
        ("DELETE", "api/delegations/{delegationId}"),
        ("POST", "api/orderer-roles"),
        ("POST", "api/amu-applications"),
        ("POST", "api/kiv/import"),
        ("GET", "api/kiv/imports/{importId}"),
        ("GET", "api/policies"),
        ("PUT", "api/policies/{policyId}"),
        ("POST", "api/policies/{policyId}/preview"),
    ];
}
