using System.Text;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>
/// A small Swedish HTML page for people who follow an email link. Never cached: it may show a password or
/// a decision that changes.
/// </summary>
public sealed class HtmlPage(int statusCode, string title) : IResult
{
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
    public HtmlPage Form(string fieldName, params (string Value, string Label)[] buttons)
    {
        _body.Append("<form method=\"post\">");
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
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";
        var html = $"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{Encode(title)} – VGR behörighetsportal</title></head>"
            + $"<body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>{Encode(title)}</h1>{_body}</body></html>";
        await response.WriteAsync(html);
    }

    private static string Encode(string text) => Html.Encode(text);
}
