using Behorighetsportal.Directory;
using Behorighetsportal.Passwords;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Passwords;

/// <summary>R6 with the demo organisation's people, as the directory holds them on activation day.</summary>
public sealed class InitialPasswordRuleTests
{
    private const string Hugo = "SE2321000131-E000000000008";
    private const string Karin = "SE2321000131-E000000000009";
    private const string Johan = "SE2321000131-E000000000010";
    private const string Bertil = "SE2321000131-E000000000003";

    [Fact]
    public void IsNeeded_NoEarlierUserService_True()
    {
        // Arrange: Hugo started 60 days ago and has never had a user service
        var hugo = A.DemoPerson(Hugo, A.Today);
        var engagement = hugo.FindEngagement("ENG-0008")!;

        // Act
        var needed = InitialPasswordRule.IsNeeded(hugo, engagement, A.Today);

        // Assert
        Assert.Empty(hugo.UserServices);
        Assert.True(needed);
    }

    [Fact]
    public void IsNeeded_EarlierUserServiceInactivated_True()
    {
        // Arrange: Johan returns today; the user service of his old engagement was inactivated in between
        var johan = A.DemoPerson(Johan, A.Today);
        var engagement = johan.FindEngagement("ENG-0010b")!;

        // Act
        var needed = InitialPasswordRule.IsNeeded(johan, engagement, A.Today);

        // Assert
        Assert.Equal(UserServiceStatus.Inactivated, Assert.Single(johan.UserServices).Status);
        Assert.True(needed);
    }

    [Fact]
    public void IsNeeded_EarlierUserServiceEnded_True()
    {
        // Arrange
        var person = A.Person(
            engagements: [A.Engagement("ENG-OLD", end: A.Today.AddDays(-30)), A.Engagement("ENG-NEW", start: A.Today)],
            userServices: [A.UserService("ENG-OLD", UserServiceStatus.Ended)]);

        // Act
        var needed = InitialPasswordRule.IsNeeded(person, person.FindEngagement("ENG-NEW")!, A.Today);

        // Assert
        Assert.True(needed);
    }

    [Fact]
    public void IsNeeded_UserServiceOfEndedEngagementStillActive_False()
    {
        // Arrange: Karin's old engagement ended 10 days ago but its user service was never ended
        var karin = A.DemoPerson(Karin, A.Today);
        var engagement = karin.FindEngagement("ENG-0009b")!;

        // Act
        var needed = InitialPasswordRule.IsNeeded(karin, engagement, A.Today);

        // Assert
        Assert.True(karin.FindEngagement("ENG-0009a")!.HasEndedBy(A.Today));
        Assert.Equal(UserServiceStatus.Active, karin.FindUserService("ENG-0009a")!.Status);
        Assert.False(needed);
    }

    [Fact]
    public void IsNeeded_ChangeOfLevelOnActiveUserService_False()
    {
        // Arrange: Bertil already has an active user service for this engagement; his password holds
        var bertil = A.DemoPerson(Bertil, A.Today);

        // Act
        var needed = InitialPasswordRule.IsNeeded(bertil, bertil.FindEngagement("ENG-0003")!, A.Today);

        // Assert
        Assert.False(needed);
    }

    [Fact]
    public void IsNeeded_EngagementEnded_False()
    {
        // Arrange: Hugo's engagement, seen from a day after it ended
        var hugo = A.DemoPerson(Hugo, A.Today);
        var ended = hugo.FindEngagement("ENG-0008")! with { EndDate = A.Today.AddDays(-1) };

        // Act
        var needed = InitialPasswordRule.IsNeeded(hugo, ended, A.Today);

        // Assert
        Assert.False(needed);
    }

    [Fact]
    public void IsNeeded_EngagementEndsToday_StillTrue()
    {
        // Arrange: the end date is the last working day
        var hugo = A.DemoPerson(Hugo, A.Today);
        var lastDay = hugo.FindEngagement("ENG-0008")! with { EndDate = A.Today };

        // Act
        var needed = InitialPasswordRule.IsNeeded(hugo, lastDay, A.Today);

        // Assert
        Assert.True(needed);
    }
}
