using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Behorighetsportal.Http;

/// <summary>
/// A small Swedish HTML page for people who follow an email link. Never cached: it may show a password or
/// a decision that changes. Every form carries an antiforgery token, made when the page is sent (<see cref="FormPosts"/>
/// checks it), and no other site may frame the page (clickjacking).
/// </summary>
public sealed class HtmlPage(int statusCode, string title) : IResult
{
    // Where a form's token goes; control characters never come out of Encode, so no text can forge the slot.
    private const string TokenSlot = "\u0001antiforgery\u0001";

    private readonly StringBuilder _body = new();

    public HtmlPage Paragraph(string text)
    {
        _body.Append("<p>").Append(Encode(text)).Append("</p>");
        return this;
    }

    public HtmlPage Facts(params (string Label, string Value)[] facts)
    {
        _body.Append("<dl>");
        foreach (var (label, value) in facts)
        {
            _body.Append("<dt>").Append(Encode(label)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>");
        }

        _body.Append("</dl>");
        return this;
    }

    /// <summary>A value shown large and selectable (the password), marked so tests and screen readers find it.</summary>
    public HtmlPage Secret(string label, string value)
    {
        _body.Append("<p>").Append(Encode(label)).Append("</p><p><code id=\"secret\" style=\"font-size:1.6em\">")
            .Append(Encode(value)).Append("</code></p>");
        return this;
    }

    /// <summary>A form that posts back to the same address; each button sends <c>name=value</c>.</summary>
    public HtmlPage Form(string fieldName, params (string Value, string Label)[] buttons) => Form(action: null, hidden: [], fieldName, buttons);

    /// <summary>A form that posts to <paramref name="action"/> (a local path; null for the same address) with hidden fields.</summary>
    public HtmlPage Form(string? action, IReadOnlyList<(string Name, string Value)> hidden, string fieldName, params (string Value, string Label)[] buttons)
    {
        _body.Append("<form method=\"post\"");
        if (action is not null)
        {
            _body.Append(" action=\"").Append(Encode(action)).Append('"');
        }

        _body.Append('>').Append(TokenSlot);
        foreach (var (name, value) in hidden)
        {
            _body.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        foreach (var (value, label) in buttons)
        {
            _body.Append("<button type=\"submit\" name=\"").Append(Encode(fieldName)).Append("\" value=\"").Append(Encode(value))
                .Append("\" style=\"margin-right:1em;font-size:1.1em\">").Append(Encode(label)).Append("</button>");
        }

        _body.Append("</form>");
        return this;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = _body.ToString();
        if (body.Contains(TokenSlot, StringComparison.Ordinal))
        {
            // Sets the token's cookie too, so it is made before anything is written.
            var tokens = httpContext.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(httpContext);
            body = body.Replace(TokenSlot, $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken!)}\">", StringComparison.Ordinal);
        }

        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        response.Headers.XFrameOptions = "DENY";
        var html = $"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{Encode(title)} – VGR behörighetsportal</title></head>"
            + $"<body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>{Encode(title)}</h1>{body}</body></html>";
        await response.WriteAsync(html);
    }

    private static string Encode(string text) => Html.Encode(text);
}
