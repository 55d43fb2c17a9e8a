using Behorighetsportal.Passwords;
using Behorighetsportal.Tests.Infrastructure;
using Behorighetsportal.Tests.Unit;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>InitialPasswordVault on Azurite: a sealed password is shown once, then only who saw it and when remains.</summary>
public sealed class InitialPasswordVaultTests : IAsyncLifetime
{
    private const string OrderId = "ORD-TVAULT0000000001";
    private StorageTestContext _context = null!;
    private string _password = "";

    private InitialPasswordVault Vault => _context.Get<InitialPasswordVault>();

    /// <summary>The vault on the same storage as another host would have it, with other signing keys.</summary>
    private InitialPasswordVault VaultWith(string signingKey, string previous = "") =>
        new(_context.Storage, A.KeyRing(signingKey, previous), NullLogger<InitialPasswordVault>.Instance);

    public async Task InitializeAsync()
    {
        _context = await StorageTestContext.StartAsync(seed: false);
        _password = InitialPasswordVault.Generate();
        await _context.Identities.AddEntityAsync(InitialPasswordVault.NewRow(
            Demo.Hugo, Demo.HugoEngagement, OrderId, Vault.Seal(_password), DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task RevealOnceAsync_FirstCall_ReturnsPassword()
    {
        // Act
        var revealed = await Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new PasswordReveal(RevealOutcome.Shown, _password), revealed);
    }

    [Fact]
    public async Task RevealOnceAsync_SecondCall_ReturnsNull()
    {
        // Arrange
        await Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, DateTimeOffset.UtcNow);

        // Act
        var again = await Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new PasswordReveal(RevealOutcome.Gone), again);
    }

    [Fact]
    public async Task RevealOnceAsync_OtherOrderId_ReturnsNullAndKeepsPassword()
    {
        // Act
        var revealed = await Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, "ORD-SOMEOTHER", Demo.Fredrik, DateTimeOffset.UtcNow);

        // Assert
        Assert.Equal(new PasswordReveal(RevealOutcome.Gone), revealed);
        Assert.False((await Vault.GetStateAsync(Demo.Hugo, Demo.HugoEngagement))!.Shown);
    }

    [Fact]
    public async Task RevealOnceAsync_TenConcurrentCalls_ExactlyOneGetsPassword()
    {
        // Arrange
        var at = DateTimeOffset.UtcNow;

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, i % 2 == 0 ? Demo.Fredrik : Demo.Gunilla, at))));

        // Assert
        Assert.Equal(_password, Assert.Single(results, r => r.Outcome == RevealOutcome.Shown).Password);
        Assert.All(results.Where(r => r.Outcome != RevealOutcome.Shown), r => Assert.Equal(new PasswordReveal(RevealOutcome.Gone), r));
    }

    [Fact]
    public async Task RevealOnceAsync_AfterReveal_StateShownWithWhoAndWhenAndNoSealedValue()
    {
        // Arrange
        var at = new DateTimeOffset(DateTimeOffset.UtcNow.Year, 1, 2, 3, 4, 5, TimeSpan.Zero);

        // Act
        await Vault.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, at);

        // Assert
        var state = await Vault.GetStateAsync(Demo.Hugo, Demo.HugoEngagement);
        Assert.Equal(new InitialPasswordState(OrderId, Shown: true, Demo.Fredrik, at), state);
        var row = (await _context.RowAsync(Demo.Hugo, "initialpassword|" + Demo.HugoEngagement))!;
        Assert.True(string.IsNullOrEmpty(row.GetString("Sealed")));
        Assert.NotNull(row.GetDateTimeOffset("CreatedAt"));
        Assert.All(row, p => Assert.DoesNotContain(_password, p.Value?.ToString() ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevealOnceAsync_SealedUnderKeyNoLongerAccepted_KeyMissingAndKeptUntilTheKeyIsBack()
    {
        // Arrange: the password was sealed under Demo.SigningKey; the key is then rotated away without keeping it as
        // a previous key.
        const string newKey = "a-rotated-signing-key-0123456789abcdefghij";
        var withoutOldKey = VaultWith(newKey);

        // Act
        var refused = await withoutOldKey.RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, DateTimeOffset.UtcNow);

        // Assert: refused, and nothing erased — opened first, erased only once opened.
        Assert.Equal(new PasswordReveal(RevealOutcome.KeyMissing), refused);
        Assert.Equal(new InitialPasswordState(OrderId, Shown: false, null, null), await Vault.GetStateAsync(Demo.Hugo, Demo.HugoEngagement));
        Assert.False(string.IsNullOrEmpty((await _context.RowAsync(Demo.Hugo, "initialpassword|" + Demo.HugoEngagement))!.GetString("Sealed")));

        // Act 2: the old key is back, as a previous key.
        var revealed = await VaultWith(newKey, previous: Demo.SigningKey).RevealOnceAsync(Demo.Hugo, Demo.HugoEngagement, OrderId, Demo.Fredrik, DateTimeOffset.UtcNow);

        // Assert 2
        Assert.Equal(new PasswordReveal(RevealOutcome.Shown, _password), revealed);
        Assert.True((await Vault.GetStateAsync(Demo.Hugo, Demo.HugoEngagement))!.Shown);
    }

    [Fact]
    public async Task GetStateAsync_BeforeReveal_NotShown()
    {
        // Act
        var state = await Vault.GetStateAsync(Demo.Hugo, Demo.HugoEngagement);

        // Assert
        Assert.Equal(new InitialPasswordState(OrderId, Shown: false, null, null), state);
        Assert.Null(await Vault.GetStateAsync(Demo.Johan, Demo.JohanNewEngagement));
    }
}
