using System.Net;
using System.Text.Json;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>An RFC 7807 answer as read from the wire.</summary>
public sealed record Problem(int Status, string Title, string Detail, JsonElement Root, string Body)
{
    /// <summary>The messages for one field in <c>errors</c> (fails when the field is not named).</summary>
    public IReadOnlyList<string> Errors(string field)
    {
        Assert.True(Root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object,
            $"Expected 'errors' in the problem: {Body}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"Expected errors.{field} in the problem: {Body}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToList();
    }

    public bool HasErrorsFor(string field) =>
        Root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty(field, out _);
}

/// <summary>Checks that a response is problem details in Swedish that a person can act on.</summary>
public static class ProblemAssert
{
    // Words that appear in any Swedish sentence of some length; none of them is an English word in this sense.
    private static readonly string[] SwedishWords = ["och", "att", "du", "inte", "finns", "ingen", "ange", "kan", "som", "för", "med", "den", "det", "är", "har", "en", "ett"];

    // ASP.NET Core's default titles, which would mean the handler did not answer itself.
    private static readonly string[] DefaultTitles = ["Bad Request", "Unauthorized", "Forbidden", "Not Found", "Conflict", "Unprocessable Entity", "An error occurred while processing your request."];

    public static async Task<Problem> IsAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.True(root.TryGetProperty("status", out var statusField) && statusField.GetInt32() == (int)status, $"status field: {body}");
        var title = root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
        var detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        AssertSwedish(title, "title", body, minimumLength: 5);
        AssertSwedish(detail, "detail", body, minimumLength: 30);
        Assert.DoesNotContain(title, DefaultTitles);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        return new Problem((int)status, title, detail, root, body);
    }

    /// <summary>An HTML page for a person (approval links): Swedish, with the expected status and no stack trace.</summary>
    public static async Task<string> IsPageAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("lang=\"sv\"", body, StringComparison.Ordinal);
        var text = System.Text.RegularExpressions.Regex.Replace(body, "<[^>]+>", " ");
        AssertSwedish(text, "page", body, minimumLength: 40);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        return body;
    }

    private static void AssertSwedish(string text, string what, string body, int minimumLength)
    {
        Assert.True(text.Trim().Length >= minimumLength, $"The {what} is missing or too short to act on: {body}");
        var words = text.ToLowerInvariant().Split([' ', '.', ',', ':', ';', '!', '?', '(', ')', '\'', '"', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var swedish = text.IndexOfAny(['å', 'ä', 'ö', 'Å', 'Ä', 'Ö']) >= 0 || words.Any(w => SwedishWords.Contains(w));
        Assert.True(swedish, $"The {what} does not read as Swedish: '{text}'");
    }
}
