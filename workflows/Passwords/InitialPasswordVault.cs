using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Links;
using Behorighetsportal.Storage;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Passwords;

/// <summary>What is known of an initial password without opening it.</summary>
public sealed record InitialPasswordState(string OrderId, bool Shown, string? ShownBy, DateTimeOffset? ShownAt, DateTimeOffset? CreatedAt = null);

/// <summary>
/// Initial passwords: generated strong, kept only sealed (AES-GCM under a key derived from the link signing
/// secret), shown once and then erased — the row keeps who saw it and when, never the password.
/// Rows live in the identity's partition (<c>initialpassword|{engagementId}</c>), so activation writes the
/// user service, its provisioning marker and its password in one transaction.
/// </summary>
public sealed class InitialPasswordVault
{
    internal const string RowPrefix = "initialpassword|";
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-?";
    private readonly byte[] _key;
    private readonly StorageAccount _storage;

    public InitialPasswordVault(StorageAccount storage, IOptions<LinkOptions> options)
    {
        _storage = storage;
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.SigningKey), 32, info: "behorighetsportal/passwords/v1"u8.ToArray());
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
        var plain = Encoding.UTF8.GetBytes(password);
        var sealedBytes = new byte[12 + 16 + plain.Length];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(sealedBytes);
    }

    public string Open(string sealedText)
    {
        var sealedBytes = Convert.FromBase64String(sealedText);
        if (sealedBytes.Length < 28)
        {
            throw new CryptographicException("Sealed password is too short to be genuine.");
        }

        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plain);
        return Encoding.UTF8.GetString(plain);
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
    /// Opens the password and erases it in one conditional write: of two people clicking at once, one sees
    /// it. Null when it was shown before (or never existed for this order).
    /// </summary>
    public async Task<string?> RevealOnceAsync(string hsaId, string engagementId, string orderId, string shownBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var row = await ReadAsync(hsaId, engagementId, cancellationToken);
        if (row is null || row.GetString("OrderId") != orderId || row.GetString("Sealed") is not { Length: > 0 } sealedText)
        {
            return null;
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
            return null;
        }

        return Open(sealedText);
    }

    private async Task<TableEntity?> ReadAsync(string hsaId, string engagementId, CancellationToken cancellationToken)
    {
        await _storage.EnsureCreatedAsync(cancellationToken);
        var response = await _storage.Table(TableNames.Identities).GetEntityIfExistsAsync<TableEntity>(hsaId, RowPrefix + engagementId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static InitialPasswordState State(TableEntity row) => new(
        row.GetString("OrderId"), string.IsNullOrEmpty(row.GetString("Sealed")), row.GetString("ShownBy"), row.GetDateTimeOffset("ShownAt"), row.GetDateTimeOffset("CreatedAt"));
}
