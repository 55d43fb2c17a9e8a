using System.Net;
using System.Text.RegularExpressions;

namespace Behorighetsportal.Tests.Infrastructure;

/// <summary>
/// A page's form as a browser submits it: the antiforgery token from the page's hidden field and the cookie that came
/// with the page (clients here keep no cookies of their own, so the cookie is sent by hand).
/// </summary>
public sealed partial record PageForm(string Field, string Token, string Cookie)
{
    public const string TokenField = "__RequestVerificationToken";

    /// <summary>GETs the page and reads its form's token and cookie; null when the page has no form (a refusal page).</summary>
    public static async Task<PageForm?> ReadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        return From(response, html);
    }

    /// <summary>The form of an answer already read; null when it has no form or no antiforgery cookie came with it.</summary>
    public static PageForm? From(HttpResponseMessage response, string html)
    {
        var field = HiddenToken().Match(html);
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith(Behorighetsportal.Http.FormProtection.CookieName + "=", StringComparison.Ordinal))
            : null;
        return field.Success && cookie is not null ? new PageForm(TokenField, WebUtility.HtmlDecode(field.Groups["token"].Value), cookie) : null;
    }

    /// <summary>
    /// The token the caller would hold for this page: the page's own, or — when the page has no form now (a link already
    /// used, someone else's) — the one the caller's browser got on another page (here the dev sign-in page): a token is
    /// the signed-in person's, not the page's, as a browser that sends an earlier page's form again shows.
    /// </summary>
    public static async Task<PageForm?> ForAsync(HttpClient client, string url) =>
        await ReadAsync(client, url) ?? await ReadAsync(client, "/dev/sign-in");

    /// <summary>GETs the page, then posts its form with these fields and the caller's token (<see cref="ForAsync"/>).</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string url, params (string Key, string Value)[] fields) =>
        await PostAsync(client, url, await ForAsync(client, url), fields);

    /// <summary>Posts the fields with the form's token and cookie (none for a null form), as the page's buttons do.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, PageForm? form, params (string Key, string Value)[] fields)
    {
        var request = Request(url, form, fields);
        return client.SendAsync(request);
    }

    public static HttpRequestMessage Request(string url, PageForm? form, params (string Key, string Value)[] fields)
    {
        var all = form is null ? fields : [.. fields, (form.Field, form.Token)];
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = HttpExtensions.Form(all) };
        if (form is not null)
        {
            request.Headers.Add("Cookie", form.Cookie);
        }

        return request;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]*)\"\\s*/?>")]
    private static partial Regex HiddenToken();
}
