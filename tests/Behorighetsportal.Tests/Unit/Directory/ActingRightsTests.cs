using Behorighetsportal.Directory;
using Behorighetsportal.OrdererRoles;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Directory;

/// <summary>R1 (who may order), R9 (orderer role scope and validity), R10 (who sees a protected identity).</summary>
public sealed class ActingRightsTests
{
    private static readonly OrgTree Tree = A.DemoTree();

    private static ActingRight RightOf(string caller, Engagement engagement, params OrdererRole[] roles) =>
        ActingRights.ForEngagement(caller, engagement, roles, Tree, A.Today);

    [Fact]
    public void ForEngagement_CallerIsLineManager_LineManager()
    {
        // Arrange
        var engagement = A.Engagement(managerHsaId: A.Manager);

        // Act
        var right = RightOf(A.Manager, engagement);

        // Assert
        Assert.Equal(ActingRight.LineManager, right);
    }

    [Fact]
    public void ForEngagement_CallerIsThePerson_Self()
    {
        // Arrange
        var engagement = A.Engagement(hsaId: A.Employee);

        // Act
        var right = RightOf(A.Employee, engagement);

        // Assert
        Assert.Equal(ActingRight.Self, right);
    }

    [Theory]
    [InlineData("SU-AKUT", "SU-AKUT")]
    [InlineData("SU-IVA", "SU-IVA")]
    [InlineData("SU-AKUT", "SU-MED")]
    [InlineData("SU-IVA", "SU-MED")]
    [InlineData("SU-AKUT", "SU")]
    [InlineData("SU-IT", "SU")]
    [InlineData("NU-ORTO", "NU")]
    public void ForEngagement_OrdererUnitIsEngagementUnitOrAncestor_Orderer(string engagementUnit, string roleUnit)
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: engagementUnit);
        var role = A.OrdererRole(administration: Tree.AdministrationOf(roleUnit)!, orgUnitIds: [roleUnit]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.Orderer, right);
    }

    [Fact]
    public void ForEngagement_OneOfSeveralOrdererUnitsCovers_Orderer()
    {
        // Arrange: the demo orderer Eva holds SU-AKUT and SU-IVA
        var engagement = A.Engagement(orgUnitId: "SU-IVA");
        var role = A.OrdererRole(orgUnitIds: ["SU-AKUT", "SU-IVA"]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.Orderer, right);
    }

    [Theory]
    [InlineData("SU-AKUT", "SU-IVA")]
    [InlineData("SU-AKUT", "SU-IT")]
    [InlineData("SU-MED", "SU-AKUT")]
    [InlineData("SU", "SU-MED")]
    public void ForEngagement_OrdererUnitIsSiblingOrBelow_None(string engagementUnit, string roleUnit)
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: engagementUnit);
        var role = A.OrdererRole(orgUnitIds: [roleUnit]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_OrdererOfAnotherAdministration_None()
    {
        // Arrange: an NU orderer for all of NU, the engagement is in SU
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(administration: "NU", orgUnitIds: ["NU"]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_RoleOfOneAdministrationNamingUnitOfAnother_None()
    {
        // Arrange: a corrupt role row, administration NU but an SU unit; permissions never cross administrations
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(administration: "NU", orgUnitIds: ["SU-AKUT"]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_OrdererRoleNotYetValid_None()
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(orgUnitIds: ["SU-AKUT"], validFrom: A.Today.AddDays(1));

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_OrdererRoleExpired_None()
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(orgUnitIds: ["SU-AKUT"], validFrom: A.Today.AddDays(-30), validTo: A.Today.AddDays(-1));

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_OrdererRoleFirstAndLastDay_Orderer()
    {
        // Arrange: a one-day temporary role, valid from and to today
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(orgUnitIds: ["SU-AKUT"], validFrom: A.Today, validTo: A.Today);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.Orderer, right);
    }

    [Fact]
    public void ForEngagement_ExpiredRoleAndValidRole_ValidRoleCounts()
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: "SU-AKUT");
        var expired = A.OrdererRole(orgUnitIds: ["SU-AKUT"], validTo: A.Today.AddDays(-1));
        var valid = A.OrdererRole(orgUnitIds: ["SU-MED"], validFrom: A.Today.AddDays(-1));

        // Act
        var right = RightOf(A.Orderer, engagement, expired, valid);

        // Assert
        Assert.Equal(ActingRight.Orderer, right);
    }

    [Fact]
    public void ForEngagement_NobodyInParticular_None()
    {
        // Arrange
        var engagement = A.Engagement();

        // Act
        var right = RightOf(A.Stranger, engagement);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_EngagementWithoutManager_StrangerGetsNone()
    {
        // Arrange
        var engagement = A.Engagement(managerHsaId: null);

        // Act
        var right = RightOf(A.Stranger, engagement);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_EngagementUnitUnknownToTree_OrdererGetsNone()
    {
        // Arrange
        var engagement = A.Engagement(orgUnitId: "SU-OKAND");
        var role = A.OrdererRole(orgUnitIds: ["SU"]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.None, right);
    }

    [Fact]
    public void ForEngagement_LineManagerWhoIsAlsoOrderer_LineManager()
    {
        // Arrange
        var engagement = A.Engagement(managerHsaId: A.Manager);
        var role = A.OrdererRole(hsaId: A.Manager, orgUnitIds: ["SU"]);

        // Act
        var right = RightOf(A.Manager, engagement, role);

        // Assert
        Assert.Equal(ActingRight.LineManager, right);
    }

    [Fact]
    public void ForEngagement_OrdererOrderingForThemself_Orderer()
    {
        // Arrange
        var engagement = A.Engagement(hsaId: A.Orderer, orgUnitId: "SU-AKUT");
        var role = A.OrdererRole(orgUnitIds: ["SU-AKUT"]);

        // Act
        var right = RightOf(A.Orderer, engagement, role);

        // Assert
        Assert.Equal(ActingRight.Orderer, right);
    }

    [Fact]
    public void MaySee_ProtectedIdentityBySelf_True()
    {
        // Arrange
        var target = A.Person(A.Identity(A.Employee, isProtected: true));

        // Act
        var visible = ActingRights.MaySee(A.Employee, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.True(visible);
    }

    [Fact]
    public void MaySee_ProtectedIdentityByNearestManager_True()
    {
        // Arrange
        var target = A.Person(A.Identity(A.Employee, isProtected: true), [A.Engagement(managerHsaId: A.Manager)]);

        // Act
        var visible = ActingRights.MaySee(A.Manager, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.True(visible);
    }

    [Fact]
    public void MaySee_ProtectedIdentityByManagerOfOneOfSeveralEngagements_True()
    {
        // Arrange
        var target = A.Person(
            A.Identity(A.Employee, isProtected: true),
            [A.Engagement("ENG-1", managerHsaId: "SE2321000131-E000000000001"), A.Engagement("ENG-2", orgUnitId: "SU-IVA", managerHsaId: A.Manager)]);

        // Act
        var visible = ActingRights.MaySee(A.Manager, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.True(visible);
    }

    [Theory]
    [InlineData(A.Orderer)]
    [InlineData(A.Stranger)]
    [InlineData("SE2321000131-E000000000001")]
    public void MaySee_ProtectedIdentityByAnyoneElse_False(string caller)
    {
        // Arrange: E...001 is the manager's manager, A.Orderer holds an orderer role for the unit
        var target = A.Person(A.Identity(A.Employee, isProtected: true), [A.Engagement(managerHsaId: A.Manager)]);

        // Act
        var visible = ActingRights.MaySee(caller, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.False(visible);
    }

    [Fact]
    public void MaySee_ProtectedIdentityWithoutManager_OnlySelf()
    {
        // Arrange
        var target = A.Person(A.Identity(A.Employee, isProtected: true), [A.Engagement(managerHsaId: null)]);

        // Act
        var bySelf = ActingRights.MaySee(A.Employee, target, new DateOnly(2026, 11, 28));
        var byStranger = ActingRights.MaySee(A.Stranger, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.True(bySelf);
        Assert.False(byStranger);
    }

    [Theory]
    [InlineData(A.Employee)]
    [InlineData(A.Manager)]
    [InlineData(A.Orderer)]
    [InlineData(A.Stranger)]
    public void MaySee_NotProtectedIdentity_True(string caller)
    {
        // Arrange
        var target = A.Person(A.Identity(A.Employee, isProtected: false));

        // Act
        var visible = ActingRights.MaySee(caller, target, new DateOnly(2026, 11, 28));

        // Assert
        Assert.True(visible);
    }
}
