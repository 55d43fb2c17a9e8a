using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Web;

/// <summary>
/// GET /assets/{name}: the portal's stylesheet and script, embedded in the assembly so both hosts serve them
/// (the Functions app has no static-file middleware). Unknown names are 404.
/// </summary>
public static class AssetEndpoints
{
    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> Assets = Load();

    public static IResult Get(string name) =>
        Assets.TryGetValue(name, out var asset)
            ? new AssetResult(asset.Content, asset.ContentType)
            : Results.NotFound();

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(AssetEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource["assets/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[name] = (buffer.ToArray(), type);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed class AssetResult(byte[] content, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = contentType;
            response.Headers.CacheControl = "public, max-age=3600";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            await response.Body.WriteAsync(content, httpContext.RequestAborted);
        }
    }
}
