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

public sealed class IntegrationOptions
{
    public const string SectionName = "Integration";

    /// <summary>The key Marknadsplatsen and KiV send in x-functions-key (checked by the platform in Azure).</summary>
    [Required(ErrorMessage = "Integration:Key must be set.")]
    [MinLength(8)]
    public string Key { get; set; } = "";
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

    public bool IsIntegration(HttpRequest request)
    {
        var sent = Encoding.UTF8.GetBytes(request.Headers[KeyHeader].ToString());
        var expected = Encoding.UTF8.GetBytes(integration.Value.Key);
        return sent.Length > 0 && CryptographicOperations.FixedTimeEquals(sent, expected);
    }

    /// <summary>The header value App Service Authentication would send for a person; used by tests and the dev sign-in.</summary>
    public static string PrincipalFor(string hsaId, string claim = "hsa_id") =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = claim, val = hsaId } },
        }));
}
