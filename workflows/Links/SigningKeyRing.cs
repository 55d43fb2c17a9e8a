using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Links;

/// <summary>A key of its own for one use (link tokens, sealed passwords), derived from one configured secret, with that secret's id.</summary>
public sealed record DerivedKey(string KeyId, byte[] Key);

/// <summary>
/// The configured signing secrets: <c>Links:SigningKey</c> (current) and <c>Links:PreviousSigningKeys</c> (still
/// accepted). Whatever is signed or sealed carries the id of the secret it was made with, so the reader picks that
/// secret without trying every one and an operator can tell which key something depends on. The id is derived from
/// the secret through HKDF: it names the key without telling anything about it.
/// </summary>
public sealed class SigningKeyRing
{
    public const int MinimumKeyLength = 32;

    private const string KeyVaultReference = "@Microsoft.KeyVault(";

    private readonly IReadOnlyList<string> _secrets;

    public SigningKeyRing(IOptions<LinkOptions> options, ILogger<SigningKeyRing> logger)
    {
        var previous = SplitPrevious(options.Value.PreviousSigningKeys);
        if (previous.Any(IsUnresolvedReference))
        {
            // The setting is a Key Vault reference whose secret does not exist (no rotation has written one), is disabled
            // (the last rotation has ended) or cannot be read yet: no previous key, rather than take the reference's text,
            // which anyone can read in the template, for one.
            LinkLog.PreviousKeysUnresolved(logger);
        }

        _secrets = [options.Value.SigningKey, .. previous.Where(p => !IsUnresolvedReference(p) && p != options.Value.SigningKey)];
        CurrentKeyId = IdOf(options.Value.SigningKey);
    }

    /// <summary>The id of the current key.</summary>
    public string CurrentKeyId { get; }

    /// <summary>The ids of every accepted key, current first.</summary>
    public IReadOnlyList<string> KeyIds => _secrets.Select(IdOf).ToList();

    /// <summary>A ring from options alone (tests, tools).</summary>
    public static SigningKeyRing From(LinkOptions options) => new(Options.Create(options), NullLogger<SigningKeyRing>.Instance);

    /// <summary>
    /// The keys for one use (<paramref name="info"/> names it), current first. One secret never serves two uses raw:
    /// each use derives its own key, the same derivation as before keys had ids, so what was made then still opens.
    /// </summary>
    public IReadOnlyList<DerivedKey> Derive(string info) =>
        _secrets.Select(secret => new DerivedKey(IdOf(secret), HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes(info))))
            .ToList();

    /// <summary>Eight hex digits naming a secret: the first bytes of an HKDF output of its own, so not a part of the secret.</summary>
    public static string IdOf(string secret) =>
        Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 4, info: "behorighetsportal/key-id/v1"u8.ToArray()));

    internal static IReadOnlyList<string> SplitPrevious(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static bool IsUnresolvedReference(string? value) =>
        value?.TrimStart().StartsWith(KeyVaultReference, StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>The keys of one use, with the choice of key for what is read.</summary>
internal static class DerivedKeys
{
    /// <summary>
    /// The keys to try for something made under <paramref name="keyId"/>: those with that id (ids are short, so two
    /// secrets may share one). Something made before keys had ids (<paramref name="keyId"/> null) is tried under every
    /// key, current first: it was made under whatever was current then, which may be a previous key by now.
    /// </summary>
    public static IEnumerable<DerivedKey> For(this IReadOnlyList<DerivedKey> keys, string? keyId) =>
        keyId is null ? keys : keys.Where(k => k.KeyId == keyId);
}

internal static partial class LinkLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Links:PreviousSigningKeys is a Key Vault reference that did not resolve (no rotation under way, or the secret not readable): no previous signing key is accepted")]
    public static partial void PreviousKeysUnresolved(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error,
        Message = "Order {OrderId}: the initial password is sealed under key {KeyId}, which is neither Links:SigningKey nor in Links:PreviousSigningKeys; it is kept, not shown")]
    public static partial void PasswordKeyMissing(ILogger logger, string orderId, string keyId);
}
