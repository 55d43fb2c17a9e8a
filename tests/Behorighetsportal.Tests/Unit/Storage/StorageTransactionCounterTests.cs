using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Behorighetsportal.Storage;
using Behorighetsportal.Telemetry;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Storage;

public sealed class StorageTransactionCounterTests
{
    [Theory]
    [InlineData("/devstoreaccount1/tx1Orders(PartitionKey='ORD-1',RowKey='order')", "Orders")]
    [InlineData("/devstoreaccount1/tx1Orders()", "Orders")]
    [InlineData("/tx1Orders", "Orders")]
    [InlineData("/devstoreaccount1/$batch", "$batch")]
    [InlineData("/devstoreaccount1/Tables", "Tables")]
    [InlineData("/devstoreaccount1/Tables('tx1Orders')", "Tables")]
    [InlineData("/devstoreaccount1/tx1provisioning/messages", "provisioning")]
    [InlineData("/tx1provisioning/messages", "provisioning")]
    public void Resource_TableOrQueueOfAPath_IsNamedWithoutThePrefix(string path, string expected)
    {
        Assert.Equal(expected, StorageTransactionCounter.Resource(path, "tx1"));
    }

    [Fact]
    public async Task StorageAccount_EveryRequest_IsCountedWithServiceResourceAndMethod()
    {
        // Arrange: the meter is process-wide, so only this test's own measurements (by count of its own reads) matter
        Azurite.EnsureRunning();
        var prefix = Azurite.NewPrefix();
        var storage = new StorageAccount(Options.Create(new StorageOptions { ConnectionString = Azurite.ConnectionString, NamePrefix = prefix }));
        await storage.EnsureCreatedAsync();
        var seen = new ConcurrentBag<(string? Service, string? Resource, string? Method)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PortalTelemetry.Name && instrument.Name == StorageTransactionCounter.InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? service = null, resource = null, method = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case StorageTransactionCounter.ServiceTag: service = tag.Value as string; break;
                    case StorageTransactionCounter.ResourceTag: resource = tag.Value as string; break;
                    case StorageTransactionCounter.MethodTag: method = tag.Value as string; break;
                }
            }

            seen.Add((service, resource, method));
        });
        listener.Start();

        // Act
        var marker = "counter-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 3; i++)
        {
            await storage.Table(TableNames.Orders).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(marker, "none");
        }

        await storage.Queue(QueueNames.Provisioning).PeekMessagesAsync();

        // Assert
        Assert.True(seen.Count(s => s == ("table", TableNames.Orders, "GET")) >= 3, "Each table read is one counted transaction.");
        Assert.Contains(("queue", QueueNames.Provisioning, "GET"), seen);
    }
}
