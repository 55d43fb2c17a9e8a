using System.Text;
using Behorighetsportal.Http;

namespace Behorighetsportal.Email;

/// <summary>
/// Builds a plain Swedish email with an optional call-to-action link, as text and as simple HTML, from one
/// list of paragraphs — so the two bodies never say different things.
/// </summary>
public sealed class EmailTemplate(string greetingName)
{
    private readonly List<string> _paragraphs = [];
    private (string Text, string Url)? _link;

    public EmailTemplate Paragraph(string text)
    {
        _paragraphs.Add(text);
        return this;
    }

    public EmailTemplate Link(string text, string url)
    {
        _link = (text, url);
        return this;
    }

    public EmailMessage To(string address, string subject)
    {
        var text = new StringBuilder().Append("Hej ").Append(greetingName).Append(",\n\n");
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"sv\"><body style=\"font-family:sans-serif\">")
            .Append("<p>Hej ").Append(Html.Encode(greetingName)).Append(",</p>");
        foreach (var paragraph in _paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
            html.Append("<p>").Append(Html.EncodeLines(paragraph)).Append("</p>");
        }

        if (_link is { } link)
        {
            text.Append(link.Text).Append(":\n").Append(link.Url).Append("\n\n");
            html.Append("<p><a href=\"").Append(Html.Encode(link.Url)).Append("\">").Append(Html.Encode(link.Text)).Append("</a></p>");
        }

        const string signature = "Med vänlig hälsning\nVGR behörighetsportal\n\nDetta meddelande går inte att svara på.";
        text.Append(signature);
        html.Append("<p>").Append(Html.EncodeLines(signature)).Append("</p></body></html>");
        return new EmailMessage(address, subject, text.ToString(), html.ToString());
    }
}
