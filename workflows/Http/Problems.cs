using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>
/// Why a request was refused, in Swedish a person can act on: the JSON routes answer it as RFC 7807 problem
/// details, the pages show <see cref="Title"/>/<see cref="Detail"/> at the top and each of <see cref="Errors"/> beside
/// its field. Services return it, so a page and a route refuse the same thing with the same words.
/// </summary>
public sealed record Refusal(int Status, string Title, string Detail, IDictionary<string, string[]>? Errors = null, string? Challenge = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (Challenge is not null)
        {
            // A 401 names how to authenticate (RFC 9110): the platform's principal header, or the function key.
            httpContext.Response.Headers.WWWAuthenticate = Challenge;
        }

        // Details may repeat what the caller sent; control characters and runaway lengths stay out of the answer.
        var detail = new string(Detail.Where(c => !char.IsControl(c)).Take(2000).ToArray());
        var extensions = Errors is null ? null : new Dictionary<string, object?> { ["errors"] = Errors };
        return Results.Problem(detail: detail, statusCode: Status, title: Title, extensions: extensions).ExecuteAsync(httpContext);
    }
}

/// <summary>
/// RFC 7807 answers in Swedish that tell a person what to do. A rejected request changes nothing, so every
/// problem is returned before the first write.
/// </summary>
public static class Problems
{
    public static Refusal Unauthorized() => new(StatusCodes.Status401Unauthorized,
        "Inloggning krävs",
        "Du är inte inloggad, eller så finns ditt HSA-id inte i Katalog i Väst. Logga in med SITHS-kort och försök igen.", Challenge: "X-MS-CLIENT-PRINCIPAL");

    public static Refusal IntegrationKeyMissing() => new(StatusCodes.Status401Unauthorized,
        "Integrationsnyckel saknas eller är fel",
        "Anropet kräver en giltig integrationsnyckel i huvudet x-functions-key.", Challenge: "x-functions-key");

    public static Refusal OtherSystemsKey(IntegrationSystem sent, IntegrationSystem needed) => Problem(StatusCodes.Status403Forbidden,
        "Nyckeln hör till ett annat system",
        $"Nyckeln i huvudet x-functions-key hör till {InSwedish(sent)} och öppnar inte den här tjänsten, som bara tar emot anrop från {InSwedish(needed)}. Skicka nyckeln för {InSwedish(needed)}.");

    public static Refusal Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Behörighet saknas", detail);

    public static Refusal NotFound(string title, string detail) => Problem(StatusCodes.Status404NotFound, title, detail);

    public static Refusal BadRequest(string title, string detail, IDictionary<string, string[]>? errors = null) =>
        Problem(StatusCodes.Status400BadRequest, title, detail, errors);

    public static Refusal Conflict(string title, string detail) => Problem(StatusCodes.Status409Conflict, title, detail);

    public static Refusal Unprocessable(string title, string detail) => Problem(StatusCodes.Status422UnprocessableEntity, title, detail);

    public static Refusal TryAgain(string detail) => Problem(StatusCodes.Status503ServiceUnavailable,
        "Tillfälligt fel – försök igen", detail);

    /// <summary>A browser request that would change something, sent from a page of another site (CSRF).</summary>
    public static Refusal CrossSite() => Problem(StatusCodes.Status403Forbidden,
        "Begäran kom från en annan webbplats",
        "Begäran kommer inte från behörighetsportalen. Ändringar kan bara göras från portalens egna sidor: öppna VGR behörighetsportal direkt och gör ändringen där.");

    /// <summary>A body that is not declared JSON, or a body sent without saying what it is.</summary>
    public static Refusal UnsupportedMediaType(string? sent) => Problem(StatusCodes.Status415UnsupportedMediaType,
        "Fel innehållstyp",
        (sent is null ? "Begäran saknar Content-Type." : $"Innehållstypen \"{sent}\" tas inte emot.")
        + " Skicka innehållet som JSON med huvudet Content-Type: application/json.");

    public static Refusal TooLarge(long limitBytes, string advice) => Problem(StatusCodes.Status413PayloadTooLarge,
        "Innehållet är för stort",
        $"Innehållet får vara högst {Size(limitBytes)}. {advice}");

    public static Refusal MalformedJson() => BadRequest(
        "Felaktig begäran",
        "Innehållet kunde inte läsas som JSON. Skicka ett JSON-objekt med fälten som beskrivs i API-dokumentationen.");

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} kB";

    private static string InSwedish(IntegrationSystem system) => system == IntegrationSystem.Kiv ? "Katalog i Väst (KiV)" : "Marknadsplatsen";

    private static Refusal Problem(int status, string title, string detail, IDictionary<string, string[]>? errors = null) =>
        new(status, title, detail, errors);
}
