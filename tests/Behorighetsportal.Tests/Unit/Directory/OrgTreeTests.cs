using System.Diagnostics;
using Behorighetsportal.Directory;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Directory;

public sealed class OrgTreeTests
{
    private static readonly OrgTree Tree = A.DemoTree();

    [Theory]
    [InlineData("SU", "SU")]
    [InlineData("SU-AKUT", "SU-AKUT")]
    [InlineData("SU-AKUT", "SU-MED")]
    [InlineData("SU-AKUT", "SU")]
    [InlineData("SU-IVA", "SU-MED")]
    [InlineData("SU-IT", "SU")]
    [InlineData("NU-ORTO", "NU")]
    public void IsAtOrBelow_UnitIsSelfOrDescendant_True(string unit, string ancestor)
    {
        // Arrange (demo tree)

        // Act
        var below = Tree.IsAtOrBelow(unit, ancestor);

        // Assert
        Assert.True(below);
    }

    [Theory]
    [InlineData("SU", "SU-MED")]
    [InlineData("SU-MED", "SU-AKUT")]
    [InlineData("SU-AKUT", "SU-IVA")]
    [InlineData("SU-AKUT", "SU-IT")]
    [InlineData("NU-ORTO", "SU")]
    [InlineData("SU-AKUT", "NU")]
    public void IsAtOrBelow_UnitIsAboveSiblingOrOtherAdministration_False(string unit, string ancestor)
    {
        // Arrange (demo tree)

        // Act
        var below = Tree.IsAtOrBelow(unit, ancestor);

        // Assert
        Assert.False(below);
    }

    [Theory]
    [InlineData("SU-OKAND", "SU")]
    [InlineData("SU-AKUT", "SU-OKAND")]
    [InlineData("SU-OKAND", "SU-OKAND")]
    public void IsAtOrBelow_UnknownUnit_False(string unit, string ancestor)
    {
        // Arrange (demo tree)

        // Act
        var below = Tree.IsAtOrBelow(unit, ancestor);

        // Assert
        Assert.False(below);
    }

    [Fact]
    public void IsAtOrBelow_ParentMissingFromTree_StopsAndAnswersFalse()
    {
        // Arrange: a unit whose parent KiV has not sent
        var tree = new OrgTree([new OrgUnit("X-CHILD", "Barn", "X", "X-MISSING")]);

        // Act
        var below = tree.IsAtOrBelow("X-CHILD", "X-ROOT");

        // Assert
        Assert.False(below);
    }

    [Fact]
    public void IsAtOrBelow_CycleWithoutTheAncestor_TerminatesFalse()
    {
        // Arrange: a corrupt KiV batch, A > B > C > A
        var tree = new OrgTree(
        [
            new OrgUnit("A", "A", "X", "C"),
            new OrgUnit("B", "B", "X", "A"),
            new OrgUnit("C", "C", "X", "B"),
            new OrgUnit("D", "D", "X", null),
        ]);
        var watch = Stopwatch.StartNew();

        // Act
        var below = tree.IsAtOrBelow("A", "D");

        // Assert
        Assert.False(below);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void IsAtOrBelow_SelfCycle_TerminatesFalse()
    {
        // Arrange: a unit that is its own parent
        var tree = new OrgTree([new OrgUnit("A", "A", "X", "A"), new OrgUnit("B", "B", "X", null)]);

        // Act
        var below = tree.IsAtOrBelow("A", "B");

        // Assert
        Assert.False(below);
    }

    [Fact]
    public void IsAtOrBelow_AncestorInsideCycle_True()
    {
        // Arrange: A > B > A; B is reached from A
        var tree = new OrgTree([new OrgUnit("A", "A", "X", "B"), new OrgUnit("B", "B", "X", "A")]);

        // Act
        var below = tree.IsAtOrBelow("A", "B");

        // Assert
        Assert.True(below);
    }

    [Fact]
    public void AdministrationOf_KnownAndUnknownUnit_AdministrationOrNull()
    {
        // Arrange (demo tree)

        // Act
        var known = Tree.AdministrationOf("SU-IVA");
        var unknown = Tree.AdministrationOf("SU-OKAND");

        // Assert
        Assert.Equal("SU", known);
        Assert.Null(unknown);
    }
}
