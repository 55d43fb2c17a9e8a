using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Links;

namespace Behorighetsportal.Passwords;

/// <summary>An initial password not yet shown, for someone the reader holds the manager role of; named as the reader may see them (R10).</summary>
public sealed record WaitingPassword(string? HsaId, string Name, string EngagementId, string OrderId, DateTimeOffset? CreatedAt, string RevealPath, string? AsDelegateOf);

/// <summary>
/// The initial passwords waiting for the reader to fetch (R6, R7): for each engagement of the manager role the reader
/// holds now (their own, and each manager's they are an active delegate of), the password row not yet shown. Each
/// leads to the one reveal page the emails lead to, by a link made for this reader, so the page checks the same
/// rights as for an emailed link.
/// </summary>
public sealed class WaitingPasswords(DirectoryRepository directory, PersonNames names, InitialPasswordVault vault, LinkSigner links, TimeProvider clock)
{
    /// <summary>A link from the list is for using now, not for keeping.</summary>
    private static readonly TimeSpan PageLinkLifetime = TimeSpan.FromHours(1);

    public async Task<IReadOnlyList<WaitingPassword>> ForAsync(Caller caller, CancellationToken cancellationToken)
    {
        List<WaitingPassword> waiting = [];
        foreach (var (manager, asDelegateOf) in caller.DelegatedManagers.Select(m => (m, (string?)m)).Prepend((caller.HsaId, null)))
        {
            foreach (var (hsaId, engagementId) in await directory.GetManagedEngagementsAsync(manager, cancellationToken))
            {
                if (hsaId == caller.HsaId || await vault.GetWaitingAsync(hsaId, engagementId, cancellationToken) is not { } state)
                {
                    continue;
                }

                var person = await names.OfAsync(caller.Reader, hsaId, cancellationToken);
                var token = links.Sign(new LinkToken(LinkPurpose.InitialPassword, state.OrderId, caller.HsaId, clock.GetUtcNow() + PageLinkLifetime));
                waiting.Add(new WaitingPassword(person.HsaId, person.Name, engagementId, state.OrderId, state.CreatedAt, "/api/passwords/" + token, asDelegateOf));
            }
        }

        return waiting.OrderBy(w => w.CreatedAt).ToList();
    }
}
