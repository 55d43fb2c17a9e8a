using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Behorighetsportal.Http;

/// <summary>HTML encoding that escapes markup but keeps Swedish letters readable in pages and emails.</summary>
public static class Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Encode(string text) => Encoder.Encode(text);

    /// <summary>
    /// Encodes each line and joins them with <c>&lt;br&gt;</c>. Line by line because the encoder escapes the line
    /// breaks themselves (<c>&amp;#xA;</c>), which a browser shows as a space: replacing <c>\n</c> after encoding finds none.
    /// </summary>
    public static string EncodeLines(string text) =>
        string.Join("<br>", text.ReplaceLineEndings("\n").Split('\n').Select(Encoder.Encode));
}
