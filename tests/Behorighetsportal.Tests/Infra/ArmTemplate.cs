using System.Text;
using System.Text.Json;

namespace Behorighetsportal.Tests.Infra;

/// <summary>
/// Reads the ARM JSON that Bicep builds: resources by type, and the names of the app settings a
/// <c>Microsoft.Web/sites/config</c> "appsettings" resource sets — literal keys, or the keys of the
/// <c>createObject(...)</c> / <c>toObject(...)</c> expressions Bicep emits when the object is spread or computed.
/// </summary>
public sealed class ArmTemplate
{
    private readonly List<JsonElement> _resources;

    public ArmTemplate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var resources = document.RootElement.GetProperty("resources");
        // languageVersion 2.0 keeps resources in an object keyed by symbolic name; 1.0 in an array.
        _resources = (resources.ValueKind == JsonValueKind.Object
                ? resources.EnumerateObject().Select(p => p.Value)
                : resources.EnumerateArray())
            .Select(r => r.Clone())
            .ToList();
    }

    public IReadOnlyList<JsonElement> Resources(string type) =>
        _resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonElement One(string type)
    {
        var found = Resources(type);
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"Expected one {type} in the template, found {found.Count}.");
    }

    /// <summary>The site config resource named <paramref name="configName"/> (appsettings, authsettingsV2, …).</summary>
    public JsonElement SiteConfig(string configName)
    {
        var found = Resources("Microsoft.Web/sites/config")
            .Where(r => r.GetProperty("name").GetString() is { } name
                && (name.EndsWith("/" + configName, StringComparison.OrdinalIgnoreCase) || name.Contains($"'{configName}')", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"Expected one sites/config '{configName}', found {found.Count}.");
    }

    /// <summary>
    /// The app settings the appsettings resource sets, by name, each with its value (a <see cref="ArmExpression.Text"/>
    /// when literal), and the prefixes of names computed from a parameter (e.g. <c>Policies__Administrators__</c>).
    /// </summary>
    public AppSettings AppSettings()
    {
        var properties = SiteConfig("appsettings").GetProperty("properties");
        var settings = new AppSettings();
        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                settings.Values[property.Name] = ArmExpression.Value(property.Value.GetString() ?? "");
            }
        }
        else
        {
            Collect(ArmExpression.Value(properties.GetString() ?? ""), settings);
        }

        return settings;
    }

    private static void Collect(ArmExpression.Node node, AppSettings settings)
    {
        if (node is not ArmExpression.Call call)
        {
            return;
        }

        if (call.Name.Equals("createObject", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = 0; i + 1 < call.Arguments.Count; i += 2)
            {
                var name = call.Arguments[i] is ArmExpression.Text key
                    ? key.Value
                    : throw new InvalidOperationException("An app setting name is computed; the Infra tests read literal names only. Use a literal key, or toObject with format('Prefix__{0}', …).");
                settings.Values[name] = call.Arguments[i + 1];
            }
        }
        else if (call.Name.Equals("toObject", StringComparison.OrdinalIgnoreCase)
            && call.Arguments.Count >= 2 && call.Arguments[1] is ArmExpression.Call { Name: "lambda" } keyLambda)
        {
            switch (keyLambda.Arguments[^1])
            {
                case ArmExpression.Call { Name: "format", Arguments: [ArmExpression.Text pattern, ..] } when pattern.Value.Contains('{', StringComparison.Ordinal):
                    settings.Prefixes.Add(pattern.Value[..pattern.Value.IndexOf('{', StringComparison.Ordinal)]);
                    break;
                default:
                    throw new InvalidOperationException("toObject builds app setting names the Infra tests cannot read; use format('Prefix__{0}', …).");
            }

            return;
        }

        foreach (var argument in call.Arguments)
        {
            Collect(argument, settings);
        }
    }
}

/// <summary>App settings of the template: literal names with their values, and computed-name prefixes.</summary>
public sealed class AppSettings
{
    public Dictionary<string, ArmExpression.Node> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Prefixes { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => Values.Keys;

    /// <summary>The literal value of a setting; fails when it is missing or computed.</summary>
    public string Literal(string name) =>
        Values.TryGetValue(name, out var value)
            ? value is ArmExpression.Text text ? text.Value : throw new InvalidOperationException($"App setting {name} is computed: {value}")
            : throw new KeyNotFoundException($"App setting {name} is not set.");
}

/// <summary>Just enough of the ARM template expression language to find string literals and function calls.</summary>
public static class ArmExpression
{
    public abstract record Node;

    public sealed record Text(string Value) : Node;

    public sealed record Call(string Name, IReadOnlyList<Node> Arguments) : Node;

    /// <summary>Numbers, identifiers without a call, property access and indexing: kept only as "something".</summary>
    public sealed record Other(string Token) : Node;

    /// <summary>A template value: an expression when in brackets (<c>[...]</c>), else literal text.</summary>
    public static Node Value(string value) =>
        value.StartsWith('[') && value.EndsWith(']') && !value.StartsWith("[[", StringComparison.Ordinal)
            ? Parse(value[1..^1])
            : new Text(value.StartsWith("[[", StringComparison.Ordinal) ? value[1..] : value);

    public static Node Parse(string expression)
    {
        var parser = new Parser(expression);
        var node = parser.Expression();
        parser.SkipSpace();
        return parser.AtEnd ? node : throw parser.Fail("end of expression");
    }

    private sealed class Parser(string text)
    {
        private int _at;

        public bool AtEnd => _at >= text.Length;

        public Node Expression()
        {
            SkipSpace();
            var node = Primary();
            while (true)
            {
                SkipSpace();
                if (Peek('.'))
                {
                    _at++;
                    node = new Other("." + Identifier());
                }
                else if (Peek('['))
                {
                    _at++;
                    Expression();
                    Expect(']');
                    node = new Other("[]");
                }
                else
                {
                    return node;
                }
            }
        }

        private Node Primary()
        {
            if (Peek('\''))
            {
                return new Text(String());
            }

            if (!AtEnd && (char.IsDigit(text[_at]) || text[_at] == '-'))
            {
                var start = _at++;
                while (!AtEnd && (char.IsDigit(text[_at]) || text[_at] == '.'))
                {
                    _at++;
                }

                return new Other(text[start.._at]);
            }

            var name = Identifier();
            SkipSpace();
            if (!Peek('('))
            {
                return new Other(name);
            }

            _at++;
            var arguments = new List<Node>();
            SkipSpace();
            if (Peek(')'))
            {
                _at++;
                return new Call(name, arguments);
            }

            while (true)
            {
                arguments.Add(Expression());
                SkipSpace();
                if (Peek(','))
                {
                    _at++;
                    continue;
                }

                Expect(')');
                return new Call(name, arguments);
            }
        }

        private string String()
        {
            _at++; // opening quote
            var value = new StringBuilder();
            while (!AtEnd)
            {
                if (text[_at] == '\'')
                {
                    if (_at + 1 < text.Length && text[_at + 1] == '\'')
                    {
                        value.Append('\'');
                        _at += 2;
                        continue;
                    }

                    _at++;
                    return value.ToString();
                }

                value.Append(text[_at++]);
            }

            throw Fail("closing quote");
        }

        private string Identifier()
        {
            SkipSpace();
            var start = _at;
            while (!AtEnd && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            return _at > start ? text[start.._at] : throw Fail("identifier");
        }

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private bool Peek(char c) => !AtEnd && text[_at] == c;

        private void Expect(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                throw Fail($"'{c}'");
            }

            _at++;
        }

        public FormatException Fail(string expected) =>
            new($"ARM expression: expected {expected} at {_at}: …{text[Math.Max(0, _at - 20)..Math.Min(text.Length, _at + 20)]}…");
    }
}
