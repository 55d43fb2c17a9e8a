using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Orders;
using Behorighetsportal.Passwords;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>
/// UserServiceActivation on Azurite: the user service, the provisioning message (exactly once) and, under R6,
/// a sealed initial password.
/// </summary>
public sealed class UserServiceActivationTests : IAsyncLifetime
{
    private StorageTestContext _context = null!;

    private UserServiceActivation Activation => _context.Get<UserServiceActivation>();

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private async Task<Order> PlaceAttestedAsync(string hsaId, string engagementId, string managerId, string level = "Standard")
    {
        var order = await _context.PlaceAsync(_context.NewOrder(hsaId, engagementId, managerId, managerId, level));
        await _context.Orders.MoveToAsync(order.OrderId, OrderStatus.WaitingForStartDate);
        return order;
    }

    [Fact]
    public async Task ActivateAsync_CalledTwice_SendsExactlyOneProvisioningMessage()
    {
        // Arrange
        var order = await PlaceAttestedAsync(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik);

        // Act
        var first = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);
        var second = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new ActivationResult(ActivationOutcome.Activated, true), first);
        Assert.Equal(first, second);
        var message = StorageTestContext.ParseJson(Assert.Single(await _context.ProvisioningMessagesAsync()));
        Assert.Equal(order.OrderId, message.GetProperty("messageId").GetString());
        Assert.Equal("ActivateUserService", message.GetProperty("action").GetString());
        Assert.Equal(Demo.Hugo, message.GetProperty("hsaId").GetString());
        Assert.Equal(Demo.HugoEngagement, message.GetProperty("engagementId").GetString());
        Assert.Equal("Standard", message.GetProperty("level").GetString());
        Assert.Equal(DirectoryRepository.Format(order.ActivationDate), message.GetProperty("activationDate").GetString());
    }

    [Fact]
    public async Task ActivateAsync_FiveConcurrentCalls_SendExactlyOneProvisioningMessage()
    {
        // Arrange
        var order = await PlaceAttestedAsync(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik);
        var at = DateTimeOffset.UtcNow;

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => Activation.ActivateAsync(order, at))));

        // Assert
        Assert.All(results, r => Assert.Equal(new ActivationResult(ActivationOutcome.Activated, true), r));
        var messages = await _context.ProvisioningMessagesAsync();
        Assert.Single(messages);
        var passwordRow = (await _context.RowAsync(Demo.Hugo, "initialpassword|" + Demo.HugoEngagement))!;
        Assert.Equal(passwordRow.GetString("Sealed"), StorageTestContext.ParseJson(messages[0]).GetProperty("initialPasswordSealed").GetString());
    }

    [Fact]
    public async Task ActivateAsync_Order_WritesActiveUserServiceAtOrderedLevel()
    {
        // Arrange
        var order = await PlaceAttestedAsync(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik, level: "Utökad");

        // Act
        await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        var service = (await _context.Directory.GetPersonAsync(Demo.Hugo))!.FindUserService(Demo.HugoEngagement);
        Assert.Equal(new UserService(Demo.Hugo, Demo.HugoEngagement, "Utökad", UserServiceStatus.Active, _context.Today, null, order.OrderId), service);
    }

    [Fact]
    public async Task ActivateAsync_NoEarlierUserService_SealsInitialPasswordThatOnlyTheMessageCarriesSealed()
    {
        // Arrange
        var order = await PlaceAttestedAsync(Demo.Hugo, Demo.HugoEngagement, Demo.Fredrik);

        // Act
        var result = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.True(result.NeedsInitialPassword);
        var row = await _context.RowAsync(Demo.Hugo, "initialpassword|" + Demo.HugoEngagement);
        Assert.NotNull(row);
        Assert.Equal(order.OrderId, row.GetString("OrderId"));
        var messageText = Assert.Single(await _context.ProvisioningMessagesAsync());
        var sealedPassword = StorageTestContext.ParseJson(messageText).GetProperty("initialPasswordSealed").GetString();
        Assert.False(string.IsNullOrEmpty(sealedPassword));
        Assert.Equal(row.GetString("Sealed"), sealedPassword);

        var password = _context.Get<InitialPasswordVault>().Open(sealedPassword);
        Assert.Equal(16, password.Length);
        Assert.DoesNotContain(password, messageText, StringComparison.Ordinal);
        foreach (var stored in await _context.PartitionAsync(Demo.Hugo))
        {
            foreach (var (key, value) in stored)
            {
                Assert.DoesNotContain(password, value?.ToString() ?? "", StringComparison.Ordinal);
                Assert.DoesNotContain(password, key, StringComparison.Ordinal);
            }
        }

        var state = await _context.Get<InitialPasswordVault>().GetStateAsync(Demo.Hugo, Demo.HugoEngagement);
        Assert.Equal(new InitialPasswordState(order.OrderId, Shown: false, null, null), state);
    }

    [Fact]
    public async Task ActivateAsync_EarlierUserServiceNeverEnded_NeedsNoInitialPassword()
    {
        // Arrange: Karin returns; her user service of ENG-0009a was never ended.
        var order = await PlaceAttestedAsync(Demo.Karin, Demo.KarinNewEngagement, Demo.Anna);

        // Act
        var result = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new ActivationResult(ActivationOutcome.Activated, false), result);
        Assert.Null(await _context.RowAsync(Demo.Karin, "initialpassword|" + Demo.KarinNewEngagement));
        var message = StorageTestContext.ParseJson(Assert.Single(await _context.ProvisioningMessagesAsync()));
        Assert.Equal(JsonValueKind.Null, message.GetProperty("initialPasswordSealed").ValueKind);
        var karin = (await _context.Directory.GetPersonAsync(Demo.Karin))!;
        Assert.Equal(UserServiceStatus.Active, karin.FindUserService(Demo.KarinNewEngagement)!.Status);
    }

    [Fact]
    public async Task ActivateAsync_EarlierUserServiceInactivated_NeedsInitialPassword()
    {
        // Arrange: Johan returns today; his user service of ENG-0010a was inactivated.
        var order = await PlaceAttestedAsync(Demo.Johan, Demo.JohanNewEngagement, Demo.Fredrik);

        // Act
        var result = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new ActivationResult(ActivationOutcome.Activated, true), result);
        var row = await _context.RowAsync(Demo.Johan, "initialpassword|" + Demo.JohanNewEngagement);
        Assert.NotNull(row);
        Assert.Equal(row.GetString("Sealed"),
            StorageTestContext.ParseJson(Assert.Single(await _context.ProvisioningMessagesAsync())).GetProperty("initialPasswordSealed").GetString());
    }

    [Fact]
    public async Task ActivateAsync_EngagementEnded_ReturnsEngagementEndedAndWritesNothing()
    {
        // Arrange: Karin's ENG-0009a ended ten days ago.
        var order = await PlaceAttestedAsync(Demo.Karin, Demo.KarinOldEngagement, Demo.Anna, level: "Utökad");
        var before = await _context.PartitionAsync(Demo.Karin);

        // Act
        var result = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(ActivationOutcome.EngagementEnded, result.Outcome);
        Assert.False(result.NeedsInitialPassword);
        var after = await _context.PartitionAsync(Demo.Karin);
        Assert.Equal(Keys(before), Keys(after));
        var service = (await _context.Directory.GetPersonAsync(Demo.Karin))!.FindUserService(Demo.KarinOldEngagement)!;
        Assert.Equal("Standard", service.Level);
        Assert.Null(service.OrderId);
        Assert.Empty(await _context.ProvisioningMessagesAsync());
    }

    [Fact]
    public async Task ActivateAsync_EngagementNotStartedYet_DoesNotActivate()
    {
        // Arrange: Cecilia's ENG-0004 starts in 14 days; the timer fires today (the start date moved after ordering).
        var order = await PlaceAttestedAsync(Demo.Cecilia, Demo.CeciliaEngagement, Demo.Anna);

        // Act
        var result = await Activation.ActivateAsync(order, DateTimeOffset.UtcNow);

        // Assert
        Assert.NotEqual(ActivationOutcome.Activated, result.Outcome);
        Assert.Null((await _context.Directory.GetPersonAsync(Demo.Cecilia))!.FindUserService(Demo.CeciliaEngagement));
        Assert.Empty(await _context.ProvisioningMessagesAsync());
    }

    private static List<string> Keys(IEnumerable<TableEntity> rows) =>
        rows.Select(r => r.RowKey + "@" + r.ETag).OrderBy(k => k, StringComparer.Ordinal).ToList();
}
