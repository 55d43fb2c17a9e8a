using Behorighetsportal.Links;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Links;

/// <summary>The signing keys as the hosts bind and validate them at start (AddBehorighetsportal, ValidateOnStart).</summary>
public sealed class LinkOptionsTests
{
    private const string Current = "current-signing-key-0123456789abcdefghij";
    private const string Previous = "previous-signing-key-0123456789abcdefghi";
    private const string Older = "older-signing-key-0123456789abcdefghijkl";

    private static ServiceProvider Services(string? signingKey, string? previous)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Links:SigningKey"] = signingKey,
                ["Links:PreviousSigningKeys"] = previous,
            })
            .Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddBehorighetsportal(configuration)
            .BuildServiceProvider();
    }

    [Fact]
    public void Options_CurrentAndTwoPreviousKeys_RingAcceptsAllCurrentFirst()
    {
        // Arrange
        using var services = Services(Current, $" {Previous} ,{Older}");

        // Act
        var ring = services.GetRequiredService<SigningKeyRing>();

        // Assert
        Assert.Equal([SigningKeyRing.IdOf(Current), SigningKeyRing.IdOf(Previous), SigningKeyRing.IdOf(Older)], ring.KeyIds);
        Assert.Equal(SigningKeyRing.IdOf(Current), ring.CurrentKeyId);
    }

    [Fact]
    public void Options_NoPreviousKeys_RingHasTheCurrentKeyOnly()
    {
        // Arrange
        using var services = Services(Current, previous: null);

        // Act
        var ring = services.GetRequiredService<SigningKeyRing>();

        // Assert
        Assert.Equal([SigningKeyRing.IdOf(Current)], ring.KeyIds);
    }

    [Fact]
    public void Options_PreviousKeyTooShort_FailsNamingTheSetting()
    {
        // Arrange
        using var services = Services(Current, Previous + ",short-key");

        // Act
        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LinkOptions>>().Value);

        // Assert
        Assert.Contains("Links:PreviousSigningKeys", failure.Message, StringComparison.Ordinal);
        Assert.Contains("key 2 of 2", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-key", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_CurrentKeyTooShort_FailsNamingTheSetting()
    {
        // Arrange
        using var services = Services("short-key", previous: null);

        // Act
        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LinkOptions>>().Value);

        // Assert
        Assert.Contains("Links:SigningKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_CurrentKeyAnUnresolvedKeyVaultReference_Fails()
    {
        // Arrange: App Service passes an unresolved reference on as its text, which is no secret.
        using var services = Services("@Microsoft.KeyVault(SecretUri=https://kv-bp-test.vault.azure.net/secrets/links-signing-key/)", previous: null);

        // Act
        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LinkOptions>>().Value);

        // Assert
        Assert.Contains("Links:SigningKey is a Key Vault reference", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_PreviousKeysAnUnresolvedKeyVaultReference_NoPreviousKeyAccepted()
    {
        // Arrange: the secret of previous keys does not exist until a rotation writes it.
        using var services = Services(Current, "@Microsoft.KeyVault(SecretUri=https://kv-bp-test.vault.azure.net/secrets/links-previous-signing-keys/)");

        // Act
        var ring = services.GetRequiredService<SigningKeyRing>();

        // Assert
        Assert.Equal([SigningKeyRing.IdOf(Current)], ring.KeyIds);
    }
}
