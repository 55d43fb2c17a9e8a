using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Behorighetsportal.Http;

/// <summary>
/// Reads a request's JSON object without throwing at the caller: declared as <c>application/json</c> (a charset
/// parameter allowed) — a plain HTML form can send <c>text/plain</c> from any site, but not JSON — and bounded in
/// size, also when it comes without Content-Length.
/// </summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// 415 unless the request says its body is JSON. A route that reads a body needs the header; one that reads none
    /// takes a request without it, as long as nothing is sent.
    /// </summary>
    public static IResult? ContentTypeProblem(HttpRequest request, bool readsBody)
    {
        var sent = request.ContentType;
        if (string.IsNullOrWhiteSpace(sent))
        {
            return readsBody || HasBody(request) ? Problems.UnsupportedMediaType(null) : null;
        }

        return IsJson(sent) ? null : Problems.UnsupportedMediaType(sent);
    }

    /// <summary>The body as <typeparamref name="T"/>, or the problem: 415 (not JSON), 413 (over <see cref="MaxBytes"/>), 400 (not a JSON object).</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (ContentTypeProblem(request, readsBody: true) is { } wrongType)
        {
            return (null, wrongType);
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        try
        {
            using var buffer = new MemoryStream();
            await new BoundedStream(request.Body, MaxBytes).CopyToAsync(buffer, cancellationToken);
            if (buffer.Length == 0)
            {
                return (null, Problems.MalformedJson());
            }

            buffer.Position = 0;
            using var document = await JsonDocument.ParseAsync(buffer, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Deserialize<T>(Options), null)
                : (null, Problems.MalformedJson());
        }
        catch (BodyTooLargeException)
        {
            return (null, TooLarge());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            return (null, Problems.MalformedJson());
        }
    }

    internal static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && parsed.Parameters.All(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase));

    private static bool HasBody(HttpRequest request) => request.ContentLength switch
    {
        > 0 => true,
        0 => false,
        _ => request.Headers.TransferEncoding.Count > 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true,
    };

    private static Refusal TooLarge() => Problems.TooLarge(MaxBytes, "Skicka bara fälten som beskrivs i API-dokumentationen.");
}
