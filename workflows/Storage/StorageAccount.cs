using Azure.Data.Tables;
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
    private readonly Lazy<TableServiceClient> _tables = new(() => new TableServiceClient(options.Value.ConnectionString));
    private readonly Lazy<QueueServiceClient> _queues = new(() => new QueueServiceClient(
        options.Value.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }));
    private Task? _created;
    private readonly Lock _gate = new();

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
