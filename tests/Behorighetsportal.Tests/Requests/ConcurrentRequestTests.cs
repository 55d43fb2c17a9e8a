using System.Net;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// The same request sent several times at once (a double click, two tabs): one is accepted, the others are told
/// it is already asked for — as when they come one after another.
/// </summary>
public sealed class ConcurrentRequestTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public async Task ApplyAmu_SameGroupConcurrently_OneAcceptedOthers409()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            RequestFlow.ApplyAsync(app, Demo.Bertil, new { groupIds = RequestFlow.Ids(RequestFlow.SchemaGroup) })));
        await StoredState.SettledAsync(app);

        // Assert
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Accepted))
        {
            await ProblemAssert.IsAsync(refused, HttpStatusCode.Conflict);
        }

        Assert.Single(await RequestFlow.Requests(app).ListForAsync(Demo.Bertil));
    }

    [Fact]
    public async Task OrderOrdererRole_SameUnitConcurrently_OneAcceptedOthers409()
    {
        // Arrange
        await using var app = await StartedPortal.StartAsync(_inbox);

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            RequestFlow.OrderRoleAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") })));
        await StoredState.SettledAsync(app);

        // Assert
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Accepted))
        {
            await ProblemAssert.IsAsync(refused, HttpStatusCode.Conflict);
        }

        Assert.Single(await RequestFlow.Requests(app).ListForAsync(Demo.Bertil));
    }
}
