using System.Security.Cryptography;
using System.Text.Json;

namespace Behorighetsportal.Links;

public enum LinkPurpose
{
    Approval,
    InitialPassword,

    /// <summary>Approval of an orderer-role order or an AMU application (same page route as order approvals).</summary>
    AccessApproval,
}

/// <summary>What an email link grants: one purpose, one subject (an order), one recipient, until a time.</summary>
public sealed record LinkToken(LinkPurpose Purpose, string Subject, string Recipient, DateTimeOffset ExpiresAt);

public enum LinkProblem
{
    None,

    /// <summary>Malformed, tampered with, or made for another purpose: the link cannot be trusted at all.</summary>
    Invalid,
    Expired,
}

/// <summary>
/// Signs and checks email link tokens (HMAC-SHA256). A token is bound to purpose, subject and recipient and
/// expires; being usable once is enforced by the state it acts on (an approval decided, a password erased),
/// so a replayed token finds nothing left to do. A token is <c>{keyId}.{payload}.{signature}</c>, signed under the
/// current key and read under the key its id names, so tokens mailed before a rotation keep working while their key
/// is among <c>Links:PreviousSigningKeys</c>. Tokens from before key ids (<c>{payload}.{signature}</c>) are read under
/// every accepted key.
/// </summary>
public sealed class LinkSigner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IReadOnlyList<DerivedKey> _keys;
    private readonly TimeProvider _clock;

    public LinkSigner(SigningKeyRing keys, TimeProvider clock)
    {
        // A key of its own for links, derived so the configured secret is never used raw for two things.
        _keys = keys.Derive("behorighetsportal/links/v1");
        _clock = clock;
    }

    public string Sign(LinkToken token)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new Payload(token.Purpose.ToString(), token.Subject, token.Recipient, token.ExpiresAt.ToUnixTimeSeconds(), RandomNumberGenerator.GetHexString(8, lowercase: true)), Json);
        var current = _keys[0];
        return current.KeyId + "." + Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(current.Key, payload));
    }

    public LinkProblem TryRead(string? text, LinkPurpose purpose, out LinkToken? token)
    {
        token = null;
        if (string.IsNullOrEmpty(text) || text.Length > 2048)
        {
            return LinkProblem.Invalid;
        }

        var parts = text.Split('.');
        var (keyId, payloadText, signatureText) = parts.Length switch
        {
            3 => (parts[0], parts[1], parts[2]),
            2 => ((string?)null, parts[0], parts[1]),
            _ => (null, "", ""),
        };
        if (payloadText.Length == 0 || !TryFromBase64Url(payloadText, out var payload) || !TryFromBase64Url(signatureText, out var signature))
        {
            return LinkProblem.Invalid;
        }

        // A key no longer accepted (removed after a rotation) makes the token as untrustworthy as a forged one.
        if (!_keys.For(keyId).Any(key => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Key, payload), signature)))
        {
            return LinkProblem.Invalid;
        }

        Payload? read;
        try
        {
            read = JsonSerializer.Deserialize<Payload>(payload, Json);
        }
        catch (JsonException)
        {
            return LinkProblem.Invalid;
        }

        if (read is null || read.P != purpose.ToString() || string.IsNullOrEmpty(read.S) || string.IsNullOrEmpty(read.R))
        {
            return LinkProblem.Invalid;
        }

        token = new LinkToken(purpose, read.S, read.R, DateTimeOffset.FromUnixTimeSeconds(read.E));
        return token.ExpiresAt <= _clock.GetUtcNow() ? LinkProblem.Expired : LinkProblem.None;
    }

    /// <summary>The purpose of a genuine token (signature checked, expiry not), or null.</summary>
    public LinkPurpose? PurposeOf(string? text)
    {
        foreach (var purpose in Enum.GetValues<LinkPurpose>())
        {
            if (TryRead(text, purpose, out _) != LinkProblem.Invalid)
            {
                return purpose;
            }
        }

        return null;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }

    private sealed record Payload(string P, string S, string R, long E, string N);
}
