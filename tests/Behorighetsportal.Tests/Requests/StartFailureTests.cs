using System.Net;
using Behorighetsportal.Requests;
using Behorighetsportal.Tests.Durable;
using Behorighetsportal.Tests.Http;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Requests;

/// <summary>
/// An orderer-role order or AMU application that is stored but whose lifecycle cannot be started (the durable engine
/// cannot be reached at that moment): the request is Failed, its claims are released and the caller is asked to try
/// again — so the same units or group can be asked for again at once, not 409 for ever. On the real engine and Azurite.
/// </summary>
public sealed class StartFailureTests : IDisposable
{
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    /// <summary>The devhost whose durable client refuses to start request lifecycles while <paramref name="fault"/> says so.</summary>
    private PortalApp StartRefused(StartFault fault) =>
        new(_inbox, services: services => services.AddSingleton<DurableTaskClient>(sp =>
            new FlakyRaiseClient(sp.GetRequiredService<IDurableTaskClientProvider>().GetClient(), new RaiseFault(), fault)));

    [Fact]
    public async Task OrderOrdererRole_LifecycleCannotStart_Returns503FailedAndALaterOrderForTheSameUnitGoesThrough()
    {
        // Arrange
        var fault = new StartFault(nameof(AccessRequestLifecycleOrchestrator));
        await using var app = StartRefused(fault);

        // Act: Bertil orders the role for the acute unit while the engine cannot be reached; then it can, and he orders again.
        using var refused = await RequestFlow.OrderRoleAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        var problem = await ProblemAssert.IsAsync(refused, HttpStatusCode.ServiceUnavailable);
        var failed = Assert.Single(await RequestFlow.Requests(app).ListForAsync(Demo.Bertil));
        fault.Remaining = 0;
        var again = await RequestFlow.OrderRoleAcceptedAsync(app, Demo.Bertil, new { orgUnitIds = RequestFlow.Ids("SU-AKUT") });
        var requestId = again.GetProperty("orderId").GetString()!;

        // Assert: the first is Failed (and says so in its history); the second waits for Anna, who has the email.
        Assert.Equal(1, fault.Failed);
        Assert.Contains("försök igen", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Failed, failed.Status);
        Assert.Contains(await RequestFlow.AuditAsync(app, failed.RequestId), e => e.Step == "StartFailed");
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), again.GetProperty("status").GetString());
        await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
    }

    [Fact]
    public async Task ApplyAmu_LifecycleCannotStart_Returns503FailedAndALaterApplicationForTheSameGroupGoesThrough()
    {
        // Arrange
        var fault = new StartFault(nameof(AccessRequestLifecycleOrchestrator));
        await using var app = StartRefused(fault);

        // Act
        using var refused = await RequestFlow.ApplyAsync(app, Demo.Bertil, new { groupIds = RequestFlow.Ids(RequestFlow.SchemaGroup) });
        var problem = await ProblemAssert.IsAsync(refused, HttpStatusCode.ServiceUnavailable);
        var failed = Assert.Single(await RequestFlow.Requests(app).ListForAsync(Demo.Bertil));
        fault.Remaining = 0;
        var again = await RequestFlow.ApplyAcceptedAsync(app, Demo.Bertil, RequestFlow.SchemaGroup);
        var requestId = RequestFlow.RequestFor(again, RequestFlow.SchemaGroup);

        // Assert
        Assert.Equal(1, fault.Failed);
        Assert.Contains(RequestFlow.SchemaGroupName, problem.Detail, StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Failed, failed.Status);
        Assert.Equal(nameof(AccessRequestStatus.PendingApproval), again.GetProperty("status").GetString());
        await RequestFlow.ApprovalEmailAsync(app, RequestFlow.AnnaEmail, Demo.Bertil, requestId);
    }
}
