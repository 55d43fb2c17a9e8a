namespace Behorighetsportal.Directory;

/// <summary>
/// The region's calendar. Dates in KiV and orders are Swedish calendar days; a day starts at
/// 00:00 Europe/Stockholm, whatever the offset (CET or CEST) that day.
/// </summary>
public static class StockholmTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    public static DateOnly Today(TimeProvider clock) => DateOn(clock.GetUtcNow());

    public static DateOnly DateOn(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The UTC instant at which the given Swedish day begins.</summary>
    public static DateTime StartOfDayUtc(DateOnly day) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), Zone);
}
