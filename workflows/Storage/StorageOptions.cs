namespace Behorighetsportal.Storage;

/// <summary>Where tables and queues live: the same account as the durable task hub (AzureWebJobsStorage).</summary>
public sealed class StorageOptions
{
    public const string ConnectionStringKey = "AzureWebJobsStorage";

    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Prefix for table and queue names, so tests can run side by side in one Azurite.</summary>
    public string NamePrefix { get; set; } = "";
}
