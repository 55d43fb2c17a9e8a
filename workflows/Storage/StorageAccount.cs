using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Storage;

/// <summary>
/// Hands out table and queue clients and makes sure each table and queue exists once per process,
/// rather than on every call (each existence check is a billed storage transaction).
/// </summary>
public sealed class StorageAccount(IOptions<StorageOptions> options)
{
    private readonly StorageOptions _options = options.Value;
    private readonly Lazy<TableServiceClient> _tables = new(() => options.Value.Identity is { } identity
        ? new TableServiceClient(identity.TableEndpoint, Credential(identity), TableOptions(options.Value))
        : new TableServiceClient(options.Value.ConnectionString, TableOptions(options.Value)));
    private readonly Lazy<QueueServiceClient> _queues = new(() => options.Value.Identity is { } identity
        ? new QueueServiceClient(identity.QueueEndpoint, Credential(identity), QueueOptions(options.Value))
        : new QueueServiceClient(options.Value.ConnectionString, QueueOptions(options.Value)));
    private Task? _created;
    private readonly Lock _gate = new();

    private static TableClientOptions TableOptions(StorageOptions options)
    {
        var client = new TableClientOptions();
        client.AddPolicy(new StorageTransactionCounter("table", options.NamePrefix), HttpPipelinePosition.PerRetry);
        return client;
    }

    private static QueueClientOptions QueueOptions(StorageOptions options)
    {
        var client = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        client.AddPolicy(new StorageTransactionCounter("queue", options.NamePrefix), HttpPipelinePosition.PerRetry);
        return client;
    }

    /// <summary>
    /// As the Functions host does: <c>credential = managedidentity</c> is the app's managed identity (the user-assigned
    /// one named by <c>clientId</c>, else the system-assigned); otherwise whatever DefaultAzureCredential finds
    /// (a developer's <c>az login</c> against a real account).
    /// </summary>
    private static TokenCredential Credential(StorageIdentity identity) =>
        string.Equals(identity.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(identity.ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(identity.ClientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = identity.ClientId });

    public TableClient Table(string name) => _tables.Value.GetTableClient(_options.NamePrefix + name);

    public QueueClient Queue(string name) => _queues.Value.GetQueueClient((_options.NamePrefix + name).ToLowerInvariant());

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = CreateAllAsync(cancellationToken);
            }

            return _created;
        }
    }

    private async Task CreateAllAsync(CancellationToken cancellationToken)
    {
        foreach (var name in TableNames.All)
        {
            await Table(name).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var name in QueueNames.All)
        {
            await Queue(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
