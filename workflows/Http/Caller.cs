using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Http;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The claim in X-MS-CLIENT-PRINCIPAL that holds the caller's HSA-id.</summary>
    [Required]
    public string HsaIdClaim { get; set; } = "hsa_id";
}

/// <summary>The systems that call the portal with a key of their own.</summary>
public enum IntegrationSystem
{
    /// <summary>Katalog i Väst: the directory import and its progress.</summary>
    Kiv,

    /// <summary>Marknadsplatsen: financial attestation (R3).</summary>
    Marknadsplatsen,
}

public sealed class IntegrationOptions
{
    public const string SectionName = "Integration";

    /// <summary>The key KiV sends in x-functions-key; it opens the KiV import routes only.</summary>
    [Required(ErrorMessage = "Integration:KivKey must be set.")]
    [MinLength(8, ErrorMessage = "Integration:KivKey must be at least 8 characters.")]
    public string KivKey { get; set; } = "";

    /// <summary>The key Marknadsplatsen sends in x-functions-key; it opens the attestation route only.</summary>
    [Required(ErrorMessage = "Integration:MarknadsplatsenKey must be set.")]
    [MinLength(8, ErrorMessage = "Integration:MarknadsplatsenKey must be at least 8 characters.")]
    public string MarknadsplatsenKey { get; set; } = "";
}

/// <summary>One key per system: the same key for both would let either system act as the other.</summary>
public sealed class IntegrationOptionsValidator : IValidateOptions<IntegrationOptions>
{
    public ValidateOptionsResult Validate(string? name, IntegrationOptions options) =>
        !string.IsNullOrEmpty(options.KivKey) && options.KivKey == options.MarknadsplatsenKey
            ? ValidateOptionsResult.Fail("Integration:KivKey and Integration:MarknadsplatsenKey must differ: each system has a key of its own.")
            : ValidateOptionsResult.Success;
}

/// <summary>Reads who is calling: a person through App Service Authentication, or a system through its key.</summary>
public sealed class CallerReader(IOptions<AuthOptions> auth, IOptions<IntegrationOptions> integration)
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string KeyHeader = "x-functions-key";

    /// <summary>The caller's HSA-id from the principal header, or null when there is none or it is unreadable.</summary>
    public string? PersonHsaId(HttpRequest request)
    {
        var header = request.Headers[PrincipalHeader].ToString();
        if (string.IsNullOrEmpty(header) || header.Length > 16_384)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(header));
            if (!document.RootElement.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.TryGetProperty("typ", out var type) && type.GetString() == auth.Value.HsaIdClaim
                    && claim.TryGetProperty("val", out var value) && value.GetString() is { Length: > 0 and <= 64 } hsaId)
                {
                    return hsaId;
                }
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The system whose key the request carries in x-functions-key, or null for none or an unknown key.</summary>
    public IntegrationSystem? SystemOf(HttpRequest request)
    {
        var sent = Encoding.UTF8.GetBytes(request.Headers[KeyHeader].ToString());
        if (sent.Length == 0)
        {
            return null;
        }

        // Both compared, in constant time, so the answer's timing tells nothing about either key.
        var kiv = CryptographicOperations.FixedTimeEquals(sent, Encoding.UTF8.GetBytes(integration.Value.KivKey));
        var marknadsplatsen = CryptographicOperations.FixedTimeEquals(sent, Encoding.UTF8.GetBytes(integration.Value.MarknadsplatsenKey));
        return kiv ? IntegrationSystem.Kiv : marknadsplatsen ? IntegrationSystem.Marknadsplatsen : null;
    }

    /// <summary>
    /// Null when the request carries <paramref name="system"/>'s key; otherwise the refusal, before anything is read or
    /// stored: 401 without a known key, 403 with the key of another system (known, but its routes are not these).
    /// </summary>
    public Refusal? RefuseUnless(HttpRequest request, IntegrationSystem system) => SystemOf(request) switch
    {
        null => Problems.IntegrationKeyMissing(),
        var caller when caller == system => null,
        var other => Problems.OtherSystemsKey(other.Value, system),
    };

    /// <summary>The header value App Service Authentication would send for a person; used by tests and the dev sign-in.</summary>
    public static string PrincipalFor(string hsaId, string claim = "hsa_id") =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = claim, val = hsaId } },
        }));
}
