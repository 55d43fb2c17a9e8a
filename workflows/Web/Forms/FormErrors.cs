namespace Behorighetsportal.Web.Forms;

/// <summary>
/// The messages of a form that was sent back, by field: each shown beside its field and summed up at the top
/// with a link to the field (WCAG 3.3.1, 3.3.3). Keys are the fields' ids.
/// </summary>
public sealed class FormErrors
{
    private readonly List<KeyValuePair<string, string>> _messages = [];

    public static FormErrors None { get; } = new();

    public bool Any => _messages.Count > 0;

    public IReadOnlyList<KeyValuePair<string, string>> All => _messages;

    public string? For(string field) => _messages.FirstOrDefault(m => m.Key == field).Value;

    public FormErrors Add(string field, string message)
    {
        _messages.Add(new(field, message));
        return this;
    }

    /// <summary>A problem's per-field messages (the JSON routes' <c>errors</c>), mapped onto the form's field ids.</summary>
    public static FormErrors From(IReadOnlyDictionary<string, string[]>? errors, Func<string, string>? fieldOf = null)
    {
        var form = new FormErrors();
        foreach (var (key, messages) in errors ?? new Dictionary<string, string[]>())
        {
            foreach (var message in messages)
            {
                form.Add(fieldOf?.Invoke(key) ?? key, message);
            }
        }

        return form;
    }
}
