using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>Reads a request's JSON object, bounded in size, without throwing at the caller.</summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private const int MaxBytes = 64 * 1024;

    public static async Task<T?> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length is 0 or > MaxBytes)
            {
                return null;
            }

            buffer.Position = 0;
            using var document = await JsonDocument.ParseAsync(buffer, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Deserialize<T>(Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
