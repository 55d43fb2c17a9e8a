using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Tests.Integration;

/// <summary>
/// The product's services as the hosts wire them (<see cref="PortalServices.AddBehorighetsportal"/>), on Azurite
/// under a table/queue prefix of this context's own, with a loopback SMTP inbox. Disposing deletes the prefixed
/// tables and queues.
/// </summary>
public sealed class StorageTestContext : IAsyncDisposable
{
    private StorageTestContext(ServiceProvider services, SmtpInbox inbox, string prefix, DateOnly today)
    {
        Services = services;
        Inbox = inbox;
        Prefix = prefix;
        Today = today;
        Organization = DemoOrganization.Load(today);
    }

    public ServiceProvider Services { get; }

    public SmtpInbox Inbox { get; }

    public string Prefix { get; }

    /// <summary>The Stockholm day the demo organisation was loaded for.</summary>
    public DateOnly Today { get; }

    public DemoOrganization Organization { get; }

    public DirectoryRepository Directory => Get<DirectoryRepository>();

    public OrderRepository Orders => Get<OrderRepository>();

    public StorageAccount Storage => Get<StorageAccount>();

    public TableClient Identities => Storage.Table(TableNames.Identities);

    public QueueClient ProvisioningQueue => Storage.Queue(QueueNames.Provisioning);

    /// <summary>Creates the services on a fresh prefix; seeds the demo organisation unless told not to.</summary>
    public static async Task<StorageTestContext> StartAsync(bool seed = true)
    {
        Azurite.EnsureRunning();
        var prefix = Azurite.NewPrefix();
        var inbox = new SmtpInbox();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = Azurite.ConnectionString,
                ["Storage:NamePrefix"] = prefix,
                ["Email:SmtpHost"] = "127.0.0.1",
                ["Email:SmtpPort"] = inbox.Port.ToString(CultureInfo.InvariantCulture),
                ["Links:SigningKey"] = Demo.SigningKey,
                ["Integration:KivKey"] = Demo.KivKey,
                ["Integration:MarknadsplatsenKey"] = Demo.MarknadsplatsenKey,
                ["Portal:BaseUrl"] = "http://localhost",
            })
            .Build();
        // The hosts register IConfiguration themselves; AddBehorighetsportal binds most options (BindConfiguration)
        // from the container's IConfiguration rather than from the argument, so it must be there too.
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddBehorighetsportal(configuration)
            .BuildServiceProvider();
        var today = StockholmTime.Today(TimeProvider.System);
        var context = new StorageTestContext(services, inbox, prefix, today);
        if (seed)
        {
            await context.Organization.SeedAsync(context.Directory);
        }
        else
        {
            await context.Storage.EnsureCreatedAsync();
        }

        return context;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>An activity (or any class) built from the container, as the durable worker builds them.</summary>
    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>A new order (not yet stored) with sensible defaults: starts today, placed now.</summary>
    public Order NewOrder(
        string identityId,
        string engagementId,
        string ordererId,
        string? approverId,
        string level = "Standard",
        OrderStatus? status = null,
        string? comment = null)
    {
        var requiresApproval = approverId is not null && approverId != ordererId;
        var engagementStart = Organization.Engagements.FirstOrDefault(e => e.EngagementId == engagementId)?.StartDate ?? Today;
        return new Order(
            OrderId: "ORD-T" + Guid.NewGuid().ToString("N")[..15].ToUpperInvariant(),
            IdentityId: identityId,
            EngagementId: engagementId,
            Level: level,
            StartDate: Today,
            ActivationDate: engagementStart > Today ? engagementStart : Today,
            OrdererId: ordererId,
            ApproverId: approverId,
            RequiresApproval: requiresApproval,
            Comment: comment,
            PlacedAt: DateTimeOffset.UtcNow,
            Status: status ?? (requiresApproval ? OrderStatus.PendingApproval : OrderStatus.PendingAttestation));
    }

    /// <summary>Stores the order (and its engagement claim); fails the test unless it was placed.</summary>
    public async Task<Order> PlaceAsync(Order order)
    {
        var result = await Orders.PlaceAsync(order);
        if (result != PlaceResult.Placed)
        {
            throw new InvalidOperationException($"Order {order.OrderId} was not placed: {result}.");
        }

        return order;
    }

    /// <summary>Every row of one identity's partition (identity, engagements, user services, markers, passwords…).</summary>
    public async Task<IReadOnlyList<TableEntity>> PartitionAsync(string hsaId)
    {
        List<TableEntity> rows = [];
        await foreach (var row in Identities.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {hsaId}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    public async Task<TableEntity?> RowAsync(string hsaId, string rowKey)
    {
        var response = await Identities.GetEntityIfExistsAsync<TableEntity>(hsaId, rowKey);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>The messages on the provisioning queue, as sent (text), without taking them off.</summary>
    public async Task<IReadOnlyList<string>> ProvisioningMessagesAsync()
    {
        var peeked = await ProvisioningQueue.PeekMessagesAsync(maxMessages: 32);
        return peeked.Value.Select(m => m.Body.ToString()).ToList();
    }

    public static JsonElement ParseJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Waits a moment for late emails, then returns all that went to the address.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> SettledEmailsToAsync(string address)
    {
        await Task.Delay(300);
        return Inbox.To(address);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var tables = new TableServiceClient(Azurite.ConnectionString);
            await foreach (var table in tables.QueryAsync(filter: $"TableName ge '{Prefix}' and TableName lt '{Prefix}~'"))
            {
                if (table.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    await tables.DeleteTableAsync(table.Name);
                }
            }

            var queues = new QueueServiceClient(Azurite.ConnectionString);
            await foreach (var queue in queues.GetQueuesAsync(prefix: Prefix.ToLowerInvariant()))
            {
                await queues.DeleteQueueAsync(queue.Name);
            }
        }
        finally
        {
            await Services.DisposeAsync();
            Inbox.Dispose();
        }
    }
}

/// <summary>What the durable worker hands an activity: its name and the orchestration instance id.</summary>
public sealed class TestActivityContext(string name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}

public static class ActivityExtensions
{
    /// <summary>Runs an activity the way the worker does: with a context named after it, instance id = order id.</summary>
    public static Task<TOutput> RunForOrderAsync<TInput, TOutput>(this TaskActivity<TInput, TOutput> activity, string orderId, TInput input) =>
        activity.RunAsync(new TestActivityContext(activity.GetType().Name, orderId), input);
}
