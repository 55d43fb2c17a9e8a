namespace Behorighetsportal.DevHost.Durable;

/// <summary>Which durable store the engine keeps orchestration state in.</summary>
public enum DurableBackend
{
    /// <summary>Azure Storage (Azurite locally): state survives a process restart.</summary>
    AzureStorage,

    /// <summary>Process memory: fast, for tests and throw-away runs; everything is lost on stop.</summary>
    InMemory,
}

/// <summary>Settings for <see cref="DurableEngineServiceCollectionExtensions.AddDurableEngine"/>.</summary>
public sealed record DurableEngineOptions
{
    /// <summary>The default Azurite connection string.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public DurableBackend Backend { get; init; } = DurableBackend.AzureStorage;

    /// <summary>Storage connection string; only used by <see cref="DurableBackend.AzureStorage"/>.</summary>
    public string ConnectionString { get; init; } = DevelopmentStorage;

    /// <summary>
    /// Task hub name; only used by <see cref="DurableBackend.AzureStorage"/>. Azure Storage wants 3-45 letters
    /// and digits starting with a letter, since it becomes part of queue, table and container names.
    /// </summary>
    public string TaskHubName { get; init; } = "behorighetsportal";

    /// <summary>Loopback port for the gRPC sidecar; null lets the OS pick a free one.</summary>
    public int? Port { get; init; }
}
