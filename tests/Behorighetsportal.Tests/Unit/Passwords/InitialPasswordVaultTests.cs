using System.Security.Cryptography;
using Behorighetsportal.Passwords;
using Behorighetsportal.Storage;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Passwords;

public sealed class InitialPasswordVaultTests
{
    private static InitialPasswordVault Vault(string signingKey = "unit-test-signing-key-0123456789abcdef") =>
        new(new StorageAccount(Options.Create(new StorageOptions())), A.LinkOptions(signingKey));

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
        var bytes = Convert.FromBase64String(vault.Seal(InitialPasswordVault.Generate()));
        bytes[^1] ^= 0x01;

        // Act / Assert
        Assert.ThrowsAny<CryptographicException>(() => vault.Open(Convert.ToBase64String(bytes)));
    }
}
