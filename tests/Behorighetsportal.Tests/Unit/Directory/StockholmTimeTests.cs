using Behorighetsportal.Directory;
using Xunit;

namespace Behorighetsportal.Tests.Unit.Directory;

public sealed class StockholmTimeTests
{
    [Fact]
    public void StartOfDayUtc_WinterDay_2300UtcPreviousDay()
    {
        // Arrange
        var day = new DateOnly(2026, 1, 15);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 1, 14, 23, 0, 0, DateTimeKind.Utc), start);
        Assert.Equal(DateTimeKind.Utc, start.Kind);
    }

    [Fact]
    public void StartOfDayUtc_SummerDay_2200UtcPreviousDay()
    {
        // Arrange
        var day = new DateOnly(2026, 7, 1);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 6, 30, 22, 0, 0, DateTimeKind.Utc), start);
        Assert.Equal(DateTimeKind.Utc, start.Kind);
    }

    [Fact]
    public void StartOfDayUtc_DaylightSavingStartsThatNight_StillCet2300Utc()
    {
        // Arrange: clocks go 02:00 -> 03:00 on 2026-03-29, so midnight is still CET (+01:00)
        var day = new DateOnly(2026, 3, 29);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 3, 28, 23, 0, 0, DateTimeKind.Utc), start);
    }

    [Fact]
    public void StartOfDayUtc_DayAfterDaylightSavingStarts_Cest2200Utc()
    {
        // Arrange
        var day = new DateOnly(2026, 3, 30);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc), start);
    }

    [Fact]
    public void StartOfDayUtc_DaylightSavingEndsThatNight_StillCest2200Utc()
    {
        // Arrange: clocks go 03:00 -> 02:00 on 2026-10-25, so midnight is still CEST (+02:00)
        var day = new DateOnly(2026, 10, 25);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 10, 24, 22, 0, 0, DateTimeKind.Utc), start);
    }

    [Fact]
    public void StartOfDayUtc_DayAfterDaylightSavingEnds_Cet2300Utc()
    {
        // Arrange
        var day = new DateOnly(2026, 10, 26);

        // Act
        var start = StockholmTime.StartOfDayUtc(day);

        // Assert
        Assert.Equal(new DateTime(2026, 10, 25, 23, 0, 0, DateTimeKind.Utc), start);
    }

    [Theory]
    [InlineData("2026-01-14T22:59:59Z", "2026-01-14")]
    [InlineData("2026-01-14T23:00:00Z", "2026-01-15")]
    [InlineData("2026-06-30T21:59:59Z", "2026-06-30")]
    [InlineData("2026-06-30T22:00:00Z", "2026-07-01")]
    public void DateOn_InstantAroundMidnight_SwedishCalendarDay(string instant, string expected)
    {
        // Arrange
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        // Act
        var day = StockholmTime.DateOn(at);

        // Assert
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), day);
    }

    [Fact]
    public void Today_ClockJustAfterSwedishMidnight_NewDay()
    {
        // Arrange: 23:30 UTC on 1 March is 00:30 on 2 March in Stockholm
        var clock = new FakeClock(new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.Zero));

        // Act
        var today = StockholmTime.Today(clock);

        // Assert
        Assert.Equal(new DateOnly(2026, 3, 2), today);
    }
}
