using Behorighetsportal.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Http;

/// <summary>The system keys as the hosts bind and validate them at start (AddBehorighetsportal, ValidateOnStart).</summary>
public sealed class IntegrationOptionsTests
{
    private static IntegrationOptions Bound(string? kivKey, string? marknadsplatsenKey)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Integration:KivKey"] = kivKey,
                ["Integration:MarknadsplatsenKey"] = marknadsplatsenKey,
            })
            .Build();
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddBehorighetsportal(configuration)
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<IntegrationOptions>>().Value;
    }

    [Fact]
    public void Options_TwoDifferentKeys_Bound()
    {
        // Act
        var options = Bound("kiv-key-0123", "marknadsplatsen-key-0123");

        // Assert
        Assert.Equal(("kiv-key-0123", "marknadsplatsen-key-0123"), (options.KivKey, options.MarknadsplatsenKey));
    }

    [Theory]
    [InlineData(null, "marknadsplatsen-key-0123", "Integration:KivKey")]
    [InlineData("kiv-key-0123", null, "Integration:MarknadsplatsenKey")]
    [InlineData("kiv-key-0123", "short", "Integration:MarknadsplatsenKey")]
    public void Options_AKeyMissingOrShort_FailsNamingTheSetting(string? kivKey, string? marknadsplatsenKey, string setting)
    {
        // Act
        var failure = Assert.Throws<OptionsValidationException>(() => Bound(kivKey, marknadsplatsenKey));

        // Assert
        Assert.Contains(setting, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_TheSameKeyForBothSystems_Fails()
    {
        // Act: one key for both would let either system act as the other.
        var failure = Assert.Throws<OptionsValidationException>(() => Bound("shared-key-0123", "shared-key-0123"));

        // Assert
        Assert.Contains("must differ", failure.Message, StringComparison.Ordinal);
    }
}
