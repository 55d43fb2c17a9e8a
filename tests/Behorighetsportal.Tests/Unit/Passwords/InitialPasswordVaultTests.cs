using System.Security.Cryptography;
using Behorighetsportal.Links;
using Behorighetsportal.Passwords;
using Behorighetsportal.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Passwords;

public sealed class InitialPasswordVaultTests
{
    private const string OldKey = "old-signing-key-0123456789abcdefghijkl";
    private const string NewKey = "new-signing-key-0123456789abcdefghijkl";

    private static InitialPasswordVault Vault(string signingKey = A.SigningKey, string previous = "") =>
        new(new StorageAccount(Options.Create(new StorageOptions())), A.KeyRing(signingKey, previous), NullLogger<InitialPasswordVault>.Instance);

    [Fact]
    public void Generate_Always_SixteenCharacters()
    {
        // Arrange / Act
        var password = InitialPasswordVault.Generate();

        // Assert
        Assert.Equal(16, password.Length);
    }

    [Fact]
    public void Generate_ManyPasswords_EveryClassPresentInEach()
    {
        // Arrange / Act
        var passwords = Enumerable.Range(0, 200).Select(_ => InitialPasswordVault.Generate()).ToList();

        // Assert
        Assert.All(passwords, p =>
        {
            Assert.Contains(p, char.IsUpper);
            Assert.Contains(p, char.IsLower);
            Assert.Contains(p, char.IsDigit);
            Assert.Contains(p, c => !char.IsLetterOrDigit(c));
        });
    }

    [Fact]
    public void Generate_ManyPasswords_NoLookAlikeCharacters()
    {
        // Arrange
        char[] lookAlikes = ['0', 'O', '1', 'l', 'I'];

        // Act
        var passwords = Enumerable.Range(0, 1000).Select(_ => InitialPasswordVault.Generate()).ToList();

        // Assert
        Assert.All(passwords, p => Assert.Equal(-1, p.IndexOfAny(lookAlikes)));
    }

    [Fact]
    public void Generate_ThousandPasswords_AllDistinct()
    {
        // Arrange / Act
        var passwords = Enumerable.Range(0, 1000).Select(_ => InitialPasswordVault.Generate()).ToList();

        // Assert
        Assert.Equal(1000, passwords.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SealOpen_RoundTrip_SamePassword()
    {
        // Arrange
        var vault = Vault();
        var password = InitialPasswordVault.Generate();

        // Act
        var opened = vault.Open(vault.Seal(password));

        // Assert
        Assert.Equal(password, opened);
    }

    [Fact]
    public void Seal_NewVaultSameKey_OpensAfterRestart()
    {
        // Arrange: a password sealed at activation is opened by another process later
        var password = InitialPasswordVault.Generate();
        var sealedText = Vault().Seal(password);

        // Act
        var opened = Vault().Open(sealedText);

        // Assert
        Assert.Equal(password, opened);
    }

    [Fact]
    public void Seal_Password_SealedTextDoesNotContainIt()
    {
        // Arrange
        var vault = Vault();
        var password = InitialPasswordVault.Generate();

        // Act
        var sealedText = vault.Seal(password);

        // Assert
        Assert.DoesNotContain(password, sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password)), sealedText, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_SamePasswordTwice_DifferentSealedTexts()
    {
        // Arrange
        var vault = Vault();
        var password = InitialPasswordVault.Generate();

        // Act
        var first = vault.Seal(password);
        var second = vault.Seal(password);

        // Assert
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Open_DifferentSigningKey_CryptographicException()
    {
        // Arrange
        var sealedText = Vault("first-signing-key-0123456789abcdefghij").Seal(InitialPasswordVault.Generate());
        var other = Vault("other-signing-key-0123456789abcdefghij");

        // Act / Assert
        Assert.ThrowsAny<CryptographicException>(() => other.Open(sealedText));
    }

    [Fact]
    public void Open_TamperedSealedText_CryptographicException()
    {
        // Arrange
        var vault = Vault();
        var sealedText = vault.Seal(InitialPasswordVault.Generate());
        var keyId = InitialPasswordVault.KeyIdOf(sealedText)!;
        var bytes = Convert.FromBase64String(sealedText[(keyId.Length + 1)..]);
        bytes[^1] ^= 0x01;

        // Act / Assert
        Assert.ThrowsAny<CryptographicException>(() => vault.Open(keyId + "." + Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void Seal_WithPreviousKeys_NamesTheCurrentKey()
    {
        // Act
        var sealedText = Vault(NewKey, previous: OldKey).Seal(InitialPasswordVault.Generate());

        // Assert
        Assert.Equal(SigningKeyRing.IdOf(NewKey), InitialPasswordVault.KeyIdOf(sealedText));
    }

    [Fact]
    public void Open_SealedUnderKeyNowPrevious_SamePassword()
    {
        // Arrange: sealed at an activation before the rotation, opened after it
        var password = InitialPasswordVault.Generate();
        var sealedText = Vault(OldKey).Seal(password);

        // Act
        var opened = Vault(NewKey, previous: OldKey).Open(sealedText);

        // Assert
        Assert.Equal(password, opened);
    }

    [Fact]
    public void Open_SealedUnderKeyNoLongerAccepted_CryptographicException()
    {
        // Arrange
        var sealedText = Vault(OldKey).Seal(InitialPasswordVault.Generate());

        // Act / Assert
        Assert.ThrowsAny<CryptographicException>(() => Vault(NewKey).Open(sealedText));
    }

    [Theory]
    [InlineData(NewKey, "")]
    [InlineData(NewKey, OldKey)]
    public void Open_SealedBeforeKeyIds_OpensUnderAnyAcceptedKey(string current, string previous)
    {
        // Arrange: base64 of nonce, tag and ciphertext, as sealed before key ids, under the key current then
        var password = InitialPasswordVault.Generate();
        var legacy = LegacySeal(previous.Length > 0 ? previous : current, password);

        // Act
        var opened = Vault(current, previous).Open(legacy);

        // Assert
        Assert.Equal(password, opened);
    }

    /// <summary>A password sealed the way InitialPasswordVault sealed them before key ids.</summary>
    private static string LegacySeal(string signingKey, string password)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, System.Text.Encoding.UTF8.GetBytes(signingKey), 32, info: "behorighetsportal/passwords/v1"u8.ToArray());
        var plain = System.Text.Encoding.UTF8.GetBytes(password);
        var sealedBytes = new byte[28 + plain.Length];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16));
        return Convert.ToBase64String(sealedBytes);
    }
}
