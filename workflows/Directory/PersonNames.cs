namespace Behorighetsportal.Directory;

/// <summary>
/// Who reads a page, an email, a list or a problem: a signed-in caller or an email's recipient, with the managers whose
/// role they hold today through an active delegation (R8). What R10 lets them see of another person follows from this.
/// </summary>
public sealed record Reader(string HsaId, IReadOnlySet<string> DelegatedManagers, DateOnly Today)
{
    private static readonly IReadOnlySet<string> NoDelegations = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// A holder of <paramref name="managerHsaId"/>'s role read as such — the manager, or a delegate through that one
    /// delegation — without asking storage for the holder's other delegations: enough for texts about that manager's reports.
    /// </summary>
    public static Reader HolderOf(string holderHsaId, string managerHsaId, bool asDelegate, DateOnly today) =>
        new(holderHsaId, asDelegate ? new HashSet<string>(StringComparer.Ordinal) { managerHsaId } : NoDelegations, today);
}

/// <summary>A person as one reader may see them named: name and HSA-id, or — protected from this reader — neither.</summary>
public sealed record PersonName(string Name, string? HsaId)
{
    /// <summary>"Anna Andersson (SE…)", or the protected wording alone.</summary>
    public string WithHsaId => HsaId is null ? Name : $"{Name} ({HsaId})";

    /// <summary>A text that names a person (the protected wording begins in lower case) at the start of a sentence.</summary>
    public static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>
/// R10 for everyone a text names — the person an order or request is about and the people acting on it (orderer,
/// approver, delegate, manager): a protected person is named, with their HSA-id, only to themself, their nearest
/// manager and that manager's active delegates (<see cref="ActingRights.MaySee"/>); anyone else reads "en medarbetare
/// med skyddad identitet" and no HSA-id. Every page, email, list and problem that names a person takes the name here.
/// </summary>
public sealed class PersonNames(DirectoryRepository directory)
{
    public const string Protected = "en medarbetare med skyddad identitet";

    public static PersonName Of(Reader reader, Person person) =>
        ActingRights.MaySee(reader.HsaId, person, reader.Today, reader.DelegatedManagers)
            ? new PersonName(person.Identity.FullName, person.Identity.HsaId)
            : new PersonName(Protected, null);

    /// <summary>
    /// The person with this HSA-id as the reader may see them. Only a protected identity costs a read of the whole
    /// person (whose manager they have); an id the directory does not know names nobody it protects and is shown as it is.
    /// </summary>
    public async Task<PersonName> OfAsync(Reader reader, string hsaId, CancellationToken cancellationToken = default)
    {
        var identity = await directory.GetIdentityAsync(hsaId, cancellationToken);
        if (identity is null)
        {
            return new PersonName(hsaId, hsaId);
        }

        if (!identity.Protected || identity.HsaId == reader.HsaId)
        {
            return new PersonName(identity.FullName, identity.HsaId);
        }

        var person = await directory.GetPersonAsync(hsaId, cancellationToken);
        return person is null ? new PersonName(Protected, null) : Of(reader, person);
    }
}
