using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Links;
using Behorighetsportal.Storage;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Passwords;

/// <summary>What is known of an initial password without opening it.</summary>
public sealed record InitialPasswordState(string OrderId, bool Shown, string? ShownBy, DateTimeOffset? ShownAt);

public enum RevealOutcome
{
    /// <summary>Opened, and erased now: <see cref="PasswordReveal.Password"/> is shown this once.</summary>
    Shown,

    /// <summary>Shown before (or there is none for this order): nothing to show.</summary>
    Gone,

    /// <summary>Sealed under a key that is no longer accepted (a rotation went too far): kept as it is, not shown.</summary>
    KeyMissing,
}

public sealed record PasswordReveal(RevealOutcome Outcome, string? Password = null);

/// <summary>
/// Initial passwords: generated strong, kept only sealed (AES-GCM under a key derived from the link signing
/// secret), shown once and then erased — the row keeps who saw it and when, never the password.
/// Rows live in the identity's partition (<c>initialpassword|{engagementId}</c>), so activation writes the
/// user service, its provisioning marker and its password in one transaction. A sealed password is
/// <c>{keyId}.{base64 of nonce, tag, ciphertext}</c>: sealed under the current key, opened under the key its id
/// names (<see cref="SigningKeyRing"/>); one sealed before key ids (base64 alone) is opened under any accepted key.
/// </summary>
public sealed class InitialPasswordVault
{
    internal const string RowPrefix = "initialpassword|";
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-?";
    private readonly IReadOnlyList<DerivedKey> _keys;
    private readonly StorageAccount _storage;
    private readonly ILogger<InitialPasswordVault> _logger;

    public InitialPasswordVault(StorageAccount storage, SigningKeyRing keys, ILogger<InitialPasswordVault> logger)
    {
        _storage = storage;
        _keys = keys.Derive("behorighetsportal/passwords/v1");
        _logger = logger;
    }

    /// <summary>16 characters from an alphabet without look-alikes (0/O, 1/l/I), every character class present.</summary>
    public static string Generate()
    {
        while (true)
        {
            var candidate = RandomNumberGenerator.GetString(Alphabet, 16);
            if (candidate.Any(char.IsUpper) && candidate.Any(char.IsLower) && candidate.Any(char.IsDigit) && candidate.Any(c => !char.IsLetterOrDigit(c)))
            {
                return candidate;
            }
        }
    }

    public string Seal(string password)
    {
        var current = _keys[0];
        var plain = Encoding.UTF8.GetBytes(password);
        var sealedBytes = new byte[12 + 16 + plain.Length];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(current.Key, 16);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16));
        CryptographicOperations.ZeroMemory(plain);
        return current.KeyId + "." + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The id of the key a sealed password was sealed under; null for one sealed before key ids.</summary>
    public static string? KeyIdOf(string sealedText)
    {
        var dot = sealedText.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : sealedText[..dot];
    }

    /// <summary>Opens a sealed password; <see cref="CryptographicException"/> when no accepted key opens it, or it was tampered with.</summary>
    public string Open(string sealedText)
    {
        var keyId = KeyIdOf(sealedText);
        var sealedBytes = Convert.FromBase64String(keyId is null ? sealedText : sealedText[(keyId.Length + 1)..]);
        if (sealedBytes.Length < 28)
        {
            throw new CryptographicException("Sealed password is too short to be genuine.");
        }

        var plain = new byte[sealedBytes.Length - 28];
        foreach (var key in _keys.For(keyId))
        {
            using var aes = new AesGcm(key.Key, 16);
            try
            {
                aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plain);
                return Encoding.UTF8.GetString(plain);
            }
            catch (AuthenticationTagMismatchException)
            {
                // Another key with the same id, or (before key ids) another accepted key: try the next.
            }
        }

        throw new CryptographicException(keyId is null
            ? "No accepted signing key opens this sealed password (sealed before key ids)."
            : $"The sealed password's key {keyId} is not among the accepted signing keys, or the sealed text was changed.");
    }

    /// <summary>The row a new sealed password is stored in, to be written in the activation's transaction.</summary>
    internal static TableEntity NewRow(string hsaId, string engagementId, string orderId, string sealedPassword, DateTimeOffset at) =>
        new(hsaId, RowPrefix + engagementId) { ["OrderId"] = orderId, ["Sealed"] = sealedPassword, ["CreatedAt"] = at };

    public async Task<InitialPasswordState?> GetStateAsync(string hsaId, string engagementId, CancellationToken cancellationToken = default)
    {
        var row = await ReadAsync(hsaId, engagementId, cancellationToken);
        return row is null ? null : State(row);
    }

    /// <summary>
    /// Opens the password, then erases it in one conditional write: of two people clicking at once, one sees it.
    /// Opened first, so a password no accepted key opens is kept for when the key is back, not destroyed unseen.
    /// </summary>
    public async Task<PasswordReveal> RevealOnceAsync(string hsaId, string engagementId, string orderId, string shownBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var row = await ReadAsync(hsaId, engagementId, cancellationToken);
        if (row is null || row.GetString("OrderId") != orderId || row.GetString("Sealed") is not { Length: > 0 } sealedText)
        {
            return new PasswordReveal(RevealOutcome.Gone);
        }

        string password;
        try
        {
            password = Open(sealedText);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            LinkLog.PasswordKeyMissing(_logger, orderId, KeyIdOf(sealedText) ?? "(sealed before key ids)");
            return new PasswordReveal(RevealOutcome.KeyMissing);
        }

        var tombstone = new TableEntity(hsaId, row.RowKey)
        {
            ["OrderId"] = orderId,
            ["CreatedAt"] = row.GetDateTimeOffset("CreatedAt"),
            ["ShownBy"] = shownBy,
            ["ShownAt"] = at,
        };
        try
        {
            await _storage.Table(TableNames.Identities).UpdateEntityAsync(tombstone, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return new PasswordReveal(RevealOutcome.Gone);
        }

        return new PasswordReveal(RevealOutcome.Shown, password);
    }

    private async Task<TableEntity?> ReadAsync(string hsaId, string engagementId, CancellationToken cancellationToken)
    {
        await _storage.EnsureCreatedAsync(cancellationToken);
        var response = await _storage.Table(TableNames.Identities).GetEntityIfExistsAsync<TableEntity>(hsaId, RowPrefix + engagementId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>A password not yet shown: its order and when it was sealed; null when there is none or it was shown.</summary>
    public async Task<(string OrderId, DateTimeOffset? CreatedAt)?> GetWaitingAsync(string hsaId, string engagementId, CancellationToken cancellationToken = default)
    {
        var row = await ReadAsync(hsaId, engagementId, cancellationToken);
        return row is null || State(row).Shown ? null : (row.GetString("OrderId"), row.GetDateTimeOffset("CreatedAt"));
    }

    private static InitialPasswordState State(TableEntity row) => new(
        row.GetString("OrderId"), string.IsNullOrEmpty(row.GetString("Sealed")), row.GetString("ShownBy"), row.GetDateTimeOffset("ShownAt"));
}
