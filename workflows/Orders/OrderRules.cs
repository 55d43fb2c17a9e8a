using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Orders;

/// <summary>The data rules of an order, apart from who is asking.</summary>
public static class OrderRules
{
    /// <summary>
    /// The level an order asks for is the one the engagement's active user service has already: nothing to order (409).
    /// Another level is a change order. Returns that level's name, or null.
    /// </summary>
    public static string? AlreadyHeld(UserService? active, ServiceLevel requested) =>
        active is { Status: UserServiceStatus.Active } held && string.Equals(held.Level, requested.Level, StringComparison.OrdinalIgnoreCase)
            ? requested.Level
            : null;

    /// <summary>R4: never before the engagement starts, whatever date the order gives.</summary>
    public static DateOnly ActivationDate(DateOnly orderStart, Engagement engagement) =>
        orderStart > engagement.StartDate ? orderStart : engagement.StartDate;

    /// <summary>Checks the fields of a request; null when they are fine, else the problem to answer with.</summary>
    public static IResult? ValidateFields(
        PlaceOrderRequest body, ServiceLevelCatalog levels, DateOnly today, int maxCommentLength,
        out ServiceLevel? level, out DateOnly startDate) =>
        ValidateFields(body.ToCommand(), levels, today, maxCommentLength, out level, out startDate);

    public static Refusal? ValidateFields(
        PlaceOrderCommand body, ServiceLevelCatalog levels, DateOnly today, int maxCommentLength,
        out ServiceLevel? level, out DateOnly startDate)
    {
        level = levels.Find(body.Level);
        startDate = default;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.IdentityId) || body.IdentityId.Length > 64)
        {
            errors["identityId"] = ["Ange medarbetarens HSA-id."];
        }

        if (string.IsNullOrWhiteSpace(body.EngagementId) || body.EngagementId.Length > 64)
        {
            errors["engagementId"] = ["Ange vilket engagemang användartjänsten gäller."];
        }

        if (level is null)
        {
            errors["level"] = [$"Okänd nivå{(string.IsNullOrEmpty(body.Level) ? "" : $" '{body.Level}'")}. Välj en av: {string.Join(", ", levels.Levels.Select(l => l.Level))}."];
        }

        if (!DateWindow.TryParse(body.StartDate, out startDate))
        {
            errors["startDate"] = ["Ange startdatum som ÅÅÅÅ-MM-DD, till exempel 2026-12-01."];
        }
        else if (DateWindow.Requested(today).Check(startDate, "Startdatum") is { } outside)
        {
            errors["startDate"] = [outside];
        }

        if (body.Comment is { Length: > 0 } comment && comment.Length > maxCommentLength)
        {
            errors["comment"] = [$"Kommentaren får vara högst {maxCommentLength} tecken."];
        }

        return errors.Count == 0 ? null : Problems.BadRequest(
            "Beställningen är inte komplett",
            "Rätta de markerade fälten och skicka beställningen igen: " + string.Join(" ", errors.Values.SelectMany(v => v)),
            errors);
    }
}
