using Microsoft.Extensions.Configuration;

namespace Behorighetsportal.Storage;

/// <summary>Where tables and queues live: the same account as the durable task hub (AzureWebJobsStorage).</summary>
public sealed class StorageOptions
{
    public const string ConnectionStringKey = "AzureWebJobsStorage";

    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Prefix for table and queue names, so tests can run side by side in one Azurite.</summary>
    public string NamePrefix { get; set; } = "";

    /// <summary>
    /// The identity-based connection, as the Functions host reads it (<c>AzureWebJobsStorage__accountName</c>,
    /// <c>__credential</c>, <c>__clientId</c>, <c>__tableServiceUri</c>, <c>__queueServiceUri</c>); null when
    /// <c>AzureWebJobsStorage</c> is a connection string. Not bindable under <c>Storage:</c>.
    /// </summary>
    public StorageIdentity? Identity { get; private set; }

    /// <summary>Reads <c>AzureWebJobsStorage</c>: a connection string when it has a value, else the identity-based form.</summary>
    public void ReadConnection(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConnectionStringKey);
        if (!string.IsNullOrEmpty(section.Value))
        {
            ConnectionString = section.Value;
        }
        else if (!string.IsNullOrEmpty(section["accountName"]) || !string.IsNullOrEmpty(section["tableServiceUri"]))
        {
            Identity = new StorageIdentity(
                section["accountName"], section["tableServiceUri"], section["queueServiceUri"], section["credential"], section["clientId"]);
        }
    }
}

/// <summary>A storage account reached with an Entra ID token (the managed identity in Azure) instead of a key.</summary>
public sealed record StorageIdentity(string? AccountName, string? TableServiceUri, string? QueueServiceUri, string? Credential, string? ClientId)
{
    public Uri TableEndpoint => new(TableServiceUri ?? $"https://{AccountName}.table.core.windows.net");

    public Uri QueueEndpoint => new(QueueServiceUri ?? $"https://{AccountName}.queue.core.windows.net");
}
