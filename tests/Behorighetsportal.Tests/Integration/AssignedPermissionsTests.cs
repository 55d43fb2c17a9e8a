using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>
/// AssignedPermissions on Azurite (R12): a user service's reasons name the policy that gave it, or the order and who
/// approved it — the order as a link only for a reader who may open it — and everyone named is named as the reader may
/// see them (R10).
/// </summary>
public sealed class AssignedPermissionsTests : IAsyncLifetime
{
    private StorageTestContext _context = null!;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task OrderedUserService_ReasonsAreTheOrderAndItsApprover_LinkedOnlyForAReaderWhoMaySeeTheOrder()
    {
        // Arrange: Eva ordered Utökad for Hugo; Fredrik approved it; it is active.
        var order = await _context.PlaceAsync(_context.NewOrder(Demo.Hugo, Demo.HugoEngagement, Demo.Eva, Demo.Fredrik, "Utökad", OrderStatus.Active) with
        {
            Approval = new Decision(DecisionOutcome.Approved, Demo.Fredrik, DateTimeOffset.UtcNow),
        });
        await _context.Directory.UpsertUserServiceAsync(new UserService(Demo.Hugo, Demo.HugoEngagement, "Utökad", UserServiceStatus.Active, _context.Today, null, order.OrderId));
        var hugo = (await _context.Directory.GetPersonAsync(Demo.Hugo))!;

        // Act
        var asOrderer = await AssignmentsAsync(Demo.Eva, hugo);
        var asOutsider = await AssignmentsAsync(Demo.Cecilia, hugo);

        // Assert
        var service = Assert.Single(asOrderer, a => a.Resource == "Användartjänst Utökad");
        Assert.Equal(["Beställning " + order.OrderId, "Godkänd av Fredrik Falk", "Engagemang " + Demo.HugoEngagement], service.Reasons.Select(r => r.Text));
        Assert.Equal(order.OrderId, service.Reasons[0].OrderId);
        Assert.Equal((_context.Today, (DateOnly?)null, AssignmentState.Active), (service.ValidFrom!.Value, service.ValidTo, service.State));
        Assert.All(Assert.Single(asOutsider, a => a.Resource == "Användartjänst Utökad").Reasons, r => Assert.Null(r.OrderId));
    }

    [Fact]
    public async Task PolicyUserService_ReasonNamesThePolicy()
    {
        // Arrange: POL-SU-VARD gave Cecilia Standard (R5).
        var order = await _context.PlaceAsync(_context.NewOrder(Demo.Cecilia, Demo.CeciliaEngagement, "policy:POL-SU-VARD", null, "Standard", OrderStatus.Active) with
        {
            OrderId = Behorighetsportal.Policies.PolicyRules.OrderIdFor(Demo.CeciliaEngagement, "Standard", _context.Today),
        });
        await _context.Directory.UpsertUserServiceAsync(new UserService(Demo.Cecilia, Demo.CeciliaEngagement, "Standard", UserServiceStatus.Active, _context.Today, null, order.OrderId));
        var cecilia = (await _context.Directory.GetPersonAsync(Demo.Cecilia))!;

        // Act
        var own = await AssignmentsAsync(Demo.Cecilia, cecilia);

        // Assert
        var service = Assert.Single(own, a => a.Resource == "Användartjänst Standard");
        Assert.Equal(["Beställning " + order.OrderId, "Tilldelningspolicy POL-SU-VARD", "Engagemang " + Demo.CeciliaEngagement], service.Reasons.Select(r => r.Text));
        Assert.Equal(order.OrderId, service.Reasons[0].OrderId);
    }

    [Fact]
    public async Task OrderApprovedByProtectedPerson_NamedAsProtectedToAnyoneWhoMayNotSeeThem()
    {
        // Arrange: an order for Bertil that Dalia (protected) is recorded as approving — Anna may see her, Bertil may not (R10).
        var order = await _context.PlaceAsync(_context.NewOrder(Demo.Bertil, Demo.BertilEngagement, Demo.Anna, Demo.Dalia, "Utökad", OrderStatus.Active) with
        {
            Approval = new Decision(DecisionOutcome.Approved, Demo.Dalia, DateTimeOffset.UtcNow),
        });
        await _context.Directory.UpsertUserServiceAsync(new UserService(Demo.Bertil, Demo.BertilEngagement, "Utökad", UserServiceStatus.Active, _context.Today, null, order.OrderId));
        var bertil = (await _context.Directory.GetPersonAsync(Demo.Bertil))!;

        // Act
        var own = await AssignmentsAsync(Demo.Bertil, bertil);
        var asManager = await AssignmentsAsync(Demo.Anna, bertil);

        // Assert
        Assert.Contains("Godkänd av " + PersonNames.Protected, own.SelectMany(a => a.Reasons).Select(r => r.Text));
        Assert.DoesNotContain(own.SelectMany(a => a.Reasons), r => r.Text.Contains("Dalia", StringComparison.Ordinal));
        Assert.Contains("Godkänd av Dalia Dahl", asManager.SelectMany(a => a.Reasons).Select(r => r.Text));
    }

    private async Task<IReadOnlyList<AssignedPermission>> AssignmentsAsync(string readerHsaId, Person person)
    {
        var reader = (await _context.Get<CallerResolver>().ResolveAsync(readerHsaId, CancellationToken.None))!;
        return await _context.Get<AssignedPermissions>().OfAsync(reader, person, CancellationToken.None);
    }
}
