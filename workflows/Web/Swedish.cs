using System.Globalization;
using Behorighetsportal.Directory;

namespace Behorighetsportal.Web;

/// <summary>Dates and times as Swedish readers write them: "3 december 2026", "kl. 09.00" (R13).</summary>
public static class Swedish
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("sv-SE");

    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", Culture);

    public static string Date(DateOnly? date, string whenMissing) => date is { } d ? Date(d) : whenMissing;

    /// <summary>A stored <c>yyyy-MM-dd</c> date, or the text for none.</summary>
    public static string Date(string? isoDate, string whenMissing = "–") =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? Date(d) : whenMissing;

    /// <summary>"3 december 2026 kl. 09.00" in Stockholm time.</summary>
    public static string DateTime(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, StockholmTime.Zone);
        return Date(DateOnly.FromDateTime(local.DateTime)) + " " + Time(local);
    }

    public static string Time(DateTimeOffset local) => "kl. " + local.ToString("HH.mm", CultureInfo.InvariantCulture);

    /// <summary>A machine-readable value for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString("N0", Culture);
}
