using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Behorighetsportal.Http;

/// <summary>HTML encoding that escapes markup but keeps Swedish letters readable in pages and emails.</summary>
public static class Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Encode(string text) => Encoder.Encode(text);
}
