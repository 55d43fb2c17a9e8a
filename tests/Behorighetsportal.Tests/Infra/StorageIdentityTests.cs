using Behorighetsportal.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Infra;

/// <summary>
/// In Azure, AzureWebJobsStorage is the identity form the Bicep sets (<c>AzureWebJobsStorage__accountName</c>,
/// <c>__credential</c>): tables and queues are then reached with the managed identity at the account's endpoints.
/// Locally and in every other test it is a connection string (Azurite), as before.
/// </summary>
public sealed class StorageIdentityTests
{
    [Fact]
    public void AccountName_WithoutConnectionString_UsesIdentityEndpoints()
    {
        // Arrange
        var options = Bound(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "stbpprod0123456789",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["Storage:NamePrefix"] = "t1",
        });

        // Act
        var storage = new StorageAccount(Options.Create(options));
        var table = storage.Table("Orders");
        var queue = storage.Queue("Provisioning");

        // Assert
        Assert.NotNull(options.Identity);
        Assert.Equal("managedidentity", options.Identity.Credential);
        Assert.Equal(new Uri("https://stbpprod0123456789.table.core.windows.net/t1Orders"), table.Uri);
        Assert.Equal("stbpprod0123456789.queue.core.windows.net", queue.Uri.Host);
        Assert.Equal("/t1provisioning", queue.Uri.AbsolutePath);
    }

    [Fact]
    public void ServiceUris_OverrideTheAccountName()
    {
        // Arrange
        var options = Bound(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://example.table.core.usgovcloudapi.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://example.queue.core.usgovcloudapi.net",
        });

        // Act
        var storage = new StorageAccount(Options.Create(options));

        // Assert
        Assert.Equal("example.table.core.usgovcloudapi.net", storage.Table("Orders").Uri.Host);
        Assert.Equal("example.queue.core.usgovcloudapi.net", storage.Queue("Provisioning").Uri.Host);
    }

    [Fact]
    public void ConnectionString_WinsOverIdentity_AsInTheFunctionsHost()
    {
        // Arrange
        var options = Bound(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AzureWebJobsStorage:accountName"] = "ignored",
        });

        // Act
        var table = new StorageAccount(Options.Create(options)).Table("Orders");

        // Assert
        Assert.Null(options.Identity);
        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Equal("127.0.0.1", table.Uri.Host);
    }

    [Fact]
    public void NothingSet_IsDevelopmentStorage()
    {
        // Act
        var options = Bound([]);

        // Assert
        Assert.Null(options.Identity);
        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
    }

    /// <summary>StorageOptions as AddBehorighetsportal binds them from these settings.</summary>
    private static StorageOptions Bound(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddBehorighetsportal(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<StorageOptions>>().Value;
    }
}
