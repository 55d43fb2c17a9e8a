using Behorighetsportal.Directory;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Integration;

/// <summary>DirectoryRepository on Azurite, with the demo organisation seeded.</summary>
public sealed class DirectoryRepositoryTests : IAsyncLifetime
{
    private StorageTestContext _context = null!;

    public async Task InitializeAsync() => _context = await StorageTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task GetPersonAsync_SeededOrderer_ReturnsIdentityEngagementsUserServicesAndOrdererRole()
    {
        // Arrange
        var today = _context.Today;

        // Act
        var eva = await _context.Directory.GetPersonAsync(Demo.Eva);

        // Assert
        Assert.NotNull(eva);
        Assert.Equal(new Identity(Demo.Eva, "Eva", "Ek", "eva.ek@example.vgregion.se", Protected: false), eva.Identity);
        var engagement = Assert.Single(eva.Engagements);
        Assert.Equal(new Engagement("ENG-0006", Demo.Eva, "SU-AKUT", "Administratör", today.AddDays(-800), null, Demo.Anna), engagement);
        var service = Assert.Single(eva.UserServices);
        Assert.Equal(new UserService(Demo.Eva, "ENG-0006", "Standard", UserServiceStatus.Active, today.AddDays(-800), null, null), service);
        var role = Assert.Single(eva.OrdererRoles);
        Assert.Equal(Demo.Eva, role.HsaId);
        Assert.Equal("SU", role.Administration);
        Assert.Equal(["SU-AKUT", "SU-IVA"], role.OrgUnitIds);
        Assert.Equal(today.AddDays(-100), role.ValidFrom);
        Assert.Null(role.ValidTo);
    }

    [Fact]
    public async Task GetPersonAsync_ReturningEmployee_ReturnsBothEngagementsAndTheirDates()
    {
        // Arrange
        var today = _context.Today;

        // Act
        var karin = await _context.Directory.GetPersonAsync(Demo.Karin);

        // Assert
        Assert.NotNull(karin);
        Assert.Equal(2, karin.Engagements.Count);
        var old = karin.FindEngagement(Demo.KarinOldEngagement)!;
        Assert.Equal(today.AddDays(-400), old.StartDate);
        Assert.Equal(today.AddDays(-10), old.EndDate);
        Assert.True(old.HasEndedBy(today));
        var current = karin.FindEngagement(Demo.KarinNewEngagement)!;
        Assert.Equal(today.AddDays(-1), current.StartDate);
        Assert.Null(current.EndDate);
        Assert.False(current.HasEndedBy(today));
        var service = Assert.Single(karin.UserServices);
        Assert.Equal(Demo.KarinOldEngagement, service.EngagementId);
        Assert.Equal(UserServiceStatus.Active, service.Status);
        Assert.Empty(karin.OrdererRoles);
    }

    [Fact]
    public async Task GetPersonAsync_ProtectedIdentity_KeepsProtectedFlag()
    {
        // Act
        var dalia = await _context.Directory.GetPersonAsync(Demo.Dalia);

        // Assert
        Assert.NotNull(dalia);
        Assert.True(dalia.Identity.Protected);
        Assert.Equal(Demo.Anna, Assert.Single(dalia.Engagements).ManagerHsaId);
    }

    [Fact]
    public async Task GetPersonAsync_UnknownHsaId_ReturnsNull()
    {
        // Act
        var person = await _context.Directory.GetPersonAsync("SE2321000131-E999999999999");
        var identity = await _context.Directory.GetIdentityAsync("SE2321000131-E999999999999");

        // Assert
        Assert.Null(person);
        Assert.Null(identity);
    }

    [Fact]
    public async Task GetManagedEngagementsAsync_Anna_ListsEngagementsOfBertilCeciliaDaliaEvaAndKarin()
    {
        // Act
        var managed = await _context.Directory.GetManagedEngagementsAsync(Demo.Anna);

        // Assert
        Assert.Equal(
            new[]
            {
                (Demo.Bertil, Demo.BertilEngagement),
                (Demo.Cecilia, Demo.CeciliaEngagement),
                (Demo.Dalia, Demo.DaliaEngagement),
                (Demo.Eva, "ENG-0006"),
                (Demo.Karin, Demo.KarinOldEngagement),
                (Demo.Karin, Demo.KarinNewEngagement),
            }.OrderBy(p => p.Item2, StringComparer.Ordinal),
            managed.OrderBy(p => p.EngagementId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetManagedEngagementsAsync_SeededTwice_ListsEachEngagementOnce()
    {
        // Arrange
        await _context.Organization.SeedAsync(_context.Directory);

        // Act
        var managed = await _context.Directory.GetManagedEngagementsAsync(Demo.Fredrik);

        // Assert
        Assert.Equal(
            new[] { (Demo.Hugo, Demo.HugoEngagement), (Demo.Johan, Demo.JohanOldEngagement), (Demo.Johan, Demo.JohanNewEngagement) },
            managed.OrderBy(p => p.EngagementId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpsertEngagementAsync_ManagerChanged_MovesEngagementToNewManagersIndex()
    {
        // Arrange
        var hugo = (await _context.Directory.GetPersonAsync(Demo.Hugo))!.FindEngagement(Demo.HugoEngagement)!;

        // Act
        await _context.Directory.UpsertEngagementAsync(hugo with { ManagerHsaId = Demo.Anna });

        // Assert
        Assert.Contains((Demo.Hugo, Demo.HugoEngagement), await _context.Directory.GetManagedEngagementsAsync(Demo.Anna));
        Assert.DoesNotContain((Demo.Hugo, Demo.HugoEngagement), await _context.Directory.GetManagedEngagementsAsync(Demo.Fredrik));
        Assert.Equal(2, (await _context.Directory.GetManagedEngagementsAsync(Demo.Fredrik)).Count);
        var reread = (await _context.Directory.GetPersonAsync(Demo.Hugo))!.FindEngagement(Demo.HugoEngagement)!;
        Assert.Equal(Demo.Anna, reread.ManagerHsaId);
    }

    [Fact]
    public async Task UpsertEngagementAsync_ManagerRemoved_RemovesEngagementFromIndex()
    {
        // Arrange
        var hugo = (await _context.Directory.GetPersonAsync(Demo.Hugo))!.FindEngagement(Demo.HugoEngagement)!;

        // Act
        await _context.Directory.UpsertEngagementAsync(hugo with { ManagerHsaId = null });

        // Assert
        Assert.DoesNotContain((Demo.Hugo, Demo.HugoEngagement), await _context.Directory.GetManagedEngagementsAsync(Demo.Fredrik));
        Assert.Null((await _context.Directory.GetPersonAsync(Demo.Hugo))!.FindEngagement(Demo.HugoEngagement)!.ManagerHsaId);
    }

    [Fact]
    public async Task GetOrgTreeAsync_Seeded_ReturnsEveryUnitWithParentAndAdministration()
    {
        // Act
        var tree = await _context.Directory.GetOrgTreeAsync();

        // Assert
        foreach (var unit in _context.Organization.OrgUnits)
        {
            Assert.Equal(unit, tree.Find(unit.Id));
        }

        Assert.Equal("SU-MED", tree.Find("SU-IVA")!.ParentId);
        Assert.Equal("NU", tree.AdministrationOf("NU-ORTO"));
        Assert.True(tree.IsAtOrBelow("SU-AKUT", "SU"));
        Assert.True(tree.IsAtOrBelow("SU-AKUT", "SU-MED"));
        Assert.False(tree.IsAtOrBelow("SU-IT", "SU-MED"));
        Assert.False(tree.IsAtOrBelow("NU-ORTO", "SU"));
        Assert.Null(tree.Find("XX"));
    }
}
