using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>
/// RFC 7807 answers in Swedish that tell a person what to do. A rejected request changes nothing, so every
/// problem is returned before the first write.
/// </summary>
public static class Problems
{
    public static IResult Unauthorized() => new Challenge("X-MS-CLIENT-PRINCIPAL", Problem(StatusCodes.Status401Unauthorized,
        "Inloggning krävs",
        "Du är inte inloggad, eller så finns ditt HSA-id inte i Katalog i Väst. Logga in med SITHS-kort och försök igen."));

    public static IResult IntegrationKeyMissing() => new Challenge("x-functions-key", Problem(StatusCodes.Status401Unauthorized,
        "Integrationsnyckel saknas eller är fel",
        "Anropet kräver en giltig integrationsnyckel i huvudet x-functions-key."));

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Behörighet saknas", detail);

    public static IResult NotFound(string title, string detail) => Problem(StatusCodes.Status404NotFound, title, detail);

    public static IResult BadRequest(string title, string detail, IDictionary<string, string[]>? errors = null) =>
        Problem(StatusCodes.Status400BadRequest, title, detail, errors);

    public static IResult Conflict(string title, string detail) => Problem(StatusCodes.Status409Conflict, title, detail);

    public static IResult Unprocessable(string title, string detail) => Problem(StatusCodes.Status422UnprocessableEntity, title, detail);

    public static IResult TryAgain(string detail) => Problem(StatusCodes.Status503ServiceUnavailable,
        "Tillfälligt fel – försök igen", detail);

    /// <summary>A browser request that would change something, sent from a page of another site (CSRF).</summary>
    public static IResult CrossSite() => Problem(StatusCodes.Status403Forbidden,
        "Begäran kom från en annan webbplats",
        "Begäran kommer inte från behörighetsportalen. Ändringar kan bara göras från portalens egna sidor: öppna VGR behörighetsportal direkt och gör ändringen där.");

    /// <summary>A body that is not declared JSON, or a body sent without saying what it is.</summary>
    public static IResult UnsupportedMediaType(string? sent) => Problem(StatusCodes.Status415UnsupportedMediaType,
        "Fel innehållstyp",
        (sent is null ? "Begäran saknar Content-Type." : $"Innehållstypen \"{sent}\" tas inte emot.")
        + " Skicka innehållet som JSON med huvudet Content-Type: application/json.");

    public static IResult TooLarge(long limitBytes, string advice) => Problem(StatusCodes.Status413PayloadTooLarge,
        "Innehållet är för stort",
        $"Innehållet får vara högst {Size(limitBytes)}. {advice}");

    public static IResult MalformedJson() => BadRequest(
        "Felaktig begäran",
        "Innehållet kunde inte läsas som JSON. Skicka ett JSON-objekt med fälten som beskrivs i API-dokumentationen.");

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} kB";

    private static IResult Problem(int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        // Details may repeat what the caller sent; control characters and runaway lengths stay out of the answer.
        detail = new string(detail.Where(c => !char.IsControl(c)).Take(2000).ToArray());
        var extensions = errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors };
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>A 401 names how to authenticate (RFC 9110): the platform's principal header, or the function key.</summary>
    private sealed class Challenge(string scheme, IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = scheme;
            return problem.ExecuteAsync(httpContext);
        }
    }
}
