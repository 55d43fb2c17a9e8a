using System.Globalization;

namespace Behorighetsportal.Bench.Pages;

/// <summary>Who asks for a page in the benchmark.</summary>
internal enum Persona
{
    /// <summary>A person whose orderer (SDA) role covers a whole administration.</summary>
    Orderer,

    /// <summary>A unit's manager with orders waiting for their approval.</summary>
    Manager,
}

/// <summary>
/// One page to measure, as data: <c>persona path [users=N] [samples=N] [timeout=S] [warmup=0] [count=N]</c>, e.g.
/// <c>orderer /personer?q={name}</c>. <c>{name}</c> becomes a name prefix of a person in the orderer's administration,
/// another one for each request. <c>warmup=0</c> leaves out the warm-up request each person makes first; <c>count=N</c>
/// sets the requests of the storage-counting pass (0: none). Lines starting with # are comments.
/// </summary>
internal sealed record PageSpec(Persona Persona, string Path, int Users, int Samples, TimeSpan Timeout, bool Warmup = true, int? Count = null)
{
    public const string Default = """
        # persona  path                      options
        orderer    /personer?q={name}
        # Today's search reads each person in the caller's scope (thousands for an administration), one at a time: at the
        # region's size a request takes minutes on Azurite, so it is asked once, and not counted.
        orderer    /api/identities?q={name}  users=1 samples=1 timeout=60 warmup=0 count=0
        manager    /godkannanden
        manager    /godkannanden             users=1 samples=20 count=0
        manager    /
        manager    /bestallningar
        # The caller alone (one Identities query, the delegations): what every page pays first.
        manager    /api/me
        manager    /api/me                   users=1 samples=20 count=0
        """;

    public string Label => $"{Persona.ToString().ToLowerInvariant()} {Path}";

    public static IReadOnlyList<PageSpec> Parse(string text, int users, int samples)
    {
        List<PageSpec> pages = [];
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !Enum.TryParse<Persona>(parts[0], ignoreCase: true, out var persona) || !parts[1].StartsWith('/'))
            {
                throw new FormatException($"A page is 'orderer|manager /path [users=N] [samples=N] [timeout=S]', not '{line}'.");
            }

            var options = parts[2..].Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
            int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
            var pageUsers = Option("users", users);
            pages.Add(new PageSpec(persona, parts[1], pageUsers, Option("samples", samples), TimeSpan.FromSeconds(Option("timeout", 60)),
                Option("warmup", 1) != 0, options.ContainsKey("count") ? Option("count", 0) : null));
        }

        return pages;
    }
}
