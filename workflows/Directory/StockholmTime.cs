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

    /// <summary>
    /// The UTC instant at which a period whose last day is <paramref name="lastDay"/> is over: 00:00 of the day after.
    /// The calendar's last day has no day after, so its period never ends; inputs are kept far from it
    /// (<see cref="DateWindow"/>), but a date stored before that must not fail the durable work for ever.
    /// </summary>
    public static DateTime EndOfDayUtc(DateOnly lastDay) =>
        lastDay == DateOnly.MaxValue ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) : StartOfDayUtc(lastDay.AddDays(1));
}
