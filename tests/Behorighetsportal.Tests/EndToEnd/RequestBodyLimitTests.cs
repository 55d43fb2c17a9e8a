using System.Net;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Storage;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Behorighetsportal.Tests.EndToEnd;

/// <summary>
/// A body sent without Content-Length (chunked), over a real socket to the devhost as a process: refused with 413 once
/// it passes the route's limit, rather than read whole first, and nothing stored.
/// </summary>
public sealed class RequestBodyLimitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SmtpInbox _inbox = new();
    private DevHostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _host = new DevHostProcess(_inbox);
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            output.WriteLine(_host.OutputTail(100));
        }
        finally
        {
            await _host.DisposeAsync();
            _inbox.Dispose();
        }
    }

    [Fact]
    public async Task PlaceOrder_ChunkedBodyOverTheLimit_Returns413AndStoresNothing()
    {
        // Arrange: a valid order with a comment of 2 MB, streamed in pieces with no length given.
        var orders = new TableClient(Azurite.ConnectionString, _host.Prefix + TableNames.Orders);
        var audit = new TableClient(Azurite.ConnectionString, _host.Prefix + TableNames.AuditLog);
        var (ordersBefore, auditBefore) = (await CountAsync(orders), await CountAsync(audit));
        var json = $"{{\"identityId\":\"{Demo.Hugo}\",\"engagementId\":\"{Demo.HugoEngagement}\",\"level\":\"Standard\",\"startDate\":\"{OrderFlow.Today()}\",\"comment\":\"{new string('x', 2 * 1024 * 1024)}\"}}";
        using var eva = _host.As(Demo.Eva);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new ChunkedContent(Encoding.UTF8.GetBytes(json)) };

        // Act
        using var response = await eva.SendAsync(request);

        // Assert
        Assert.True(request.Headers.TransferEncodingChunked == true || request.Content.Headers.ContentLength is null, "the body was not sent chunked");
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("64 kB", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(ordersBefore, await CountAsync(orders));
        Assert.Equal(auditBefore, await CountAsync(audit));
    }

    private static async Task<int> CountAsync(TableClient table)
    {
        try
        {
            var count = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
            {
                count++;
            }

            return count;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    /// <summary>Content whose length is not told, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _bytes.Length; offset += 16 * 1024)
            {
                await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(16 * 1024, _bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
