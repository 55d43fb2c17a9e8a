using System.Globalization;

namespace Behorighetsportal.Directory;

/// <summary>
/// The dates the portal takes in, one rule for every route and the KiV import: <c>yyyy-MM-dd</c>, inside a window
/// that keeps them far from the calendar's ends. A date near <see cref="DateOnly.MaxValue"/> leaves no "day after
/// the last" and no 00:00 Europe/Stockholm to wait for: it used to be stored and then fail the durable work for good.
/// People ask for periods that begin today at the earliest and lie at most <see cref="MaxDaysAhead"/> days ahead
/// (a delegation's end is bounded by its own longest period instead); KiV's facts — when an engagement began and
/// ends — lie within <see cref="KivYears"/> years of today.
/// </summary>
/// <param name="TooEarly">The Swedish sentence for a date before the window: <c>{0}</c> is the field's label, <c>{1}</c> the date.</param>
/// <param name="TooLate">The same for a date after it.</param>
public sealed record DateWindow(DateOnly Earliest, DateOnly Latest, string TooEarly, string TooLate)
{
    public const string Format = "yyyy-MM-dd";

    public const int MaxDaysAhead = 366;

    public const int KivYears = 100;

    /// <summary>For a date a person asks for: today to a year ahead.</summary>
    public static DateWindow Requested(DateOnly today)
    {
        var latest = today.AddDays(MaxDaysAhead);
        return new(today, latest,
            "{0} kan inte ligga i det förflutna. Ange dagens datum eller ett senare.",
            "{0} kan ligga högst ett år fram i tiden, senast " + Text(latest) + ".");
    }

    /// <summary>For a date KiV gives: a hundred years either way.</summary>
    public static DateWindow Kiv(DateOnly today)
    {
        var (earliest, latest) = (today.AddYears(-KivYears), today.AddYears(KivYears));
        var range = "{0} {1} ligger utanför det rimliga intervallet " + Text(earliest) + "–" + Text(latest) + ". Rätta datumet i Katalog i Väst.";
        return new(earliest, latest, range, range);
    }

    /// <summary>Why the date is outside the window, as a Swedish sentence about <paramref name="label"/>; null when inside.</summary>
    public string? Check(DateOnly date, string label) =>
        date < Earliest ? string.Format(CultureInfo.InvariantCulture, TooEarly, label, Text(date))
        : date > Latest ? string.Format(CultureInfo.InvariantCulture, TooLate, label, Text(date))
        : null;

    /// <summary>A date as the HTTP contract writes it, nothing else (no time, no other calendar).</summary>
    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static string Text(DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);
}
