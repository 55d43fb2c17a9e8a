using Behorighetsportal.Http;
using Behorighetsportal.Web;
using Behorighetsportal.Web.Forms;
using Behorighetsportal.Web.Layout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Behorighetsportal.Directory.Pages;

/// <summary>
/// /min-profil, /personer?q= and /personer/{hsaId}. Who may be found and opened is <see cref="ActablePeople"/>' rule and
/// what a person holds is <see cref="AssignedPermissions"/>' — the same the JSON routes call (GET /api/identities,
/// /api/identities/{hsaId}, /api/me/assignments); this class only reads the query and shows results.
/// </summary>
public sealed class PeoplePages(PageSession session, ActablePeople people, AssignedPermissions assignments, PersonNames names, DirectoryRepository directory)
{
    /// <summary>The most people one search shows, as GET /api/identities.</summary>
    public const int MaxResults = 50;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/min-profil", (HttpContext c, PeoplePages h, CancellationToken ct) => h.ProfileAsync(c, ct));
        app.MapGet("/personer", (HttpContext c, PeoplePages h, CancellationToken ct) => h.SearchAsync(c, ct));
        app.MapGet("/personer/{hsaId}", (HttpContext c, string hsaId, PeoplePages h, CancellationToken ct) => h.ShowAsync(c, hsaId, ct));
    }

    public async Task<IResult> ProfileAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Min profil", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var caller = page.Caller;
        return Page.Render<ProfilePage>(new Dictionary<string, object?>
        {
            [nameof(ProfilePage.Frame)] = page.Frame,
            [nameof(ProfilePage.Person)] = caller.Person,
            [nameof(ProfilePage.Engagements)] = await EngagementRowsAsync(caller, caller.Person, orderable: new HashSet<string>(StringComparer.Ordinal), cancellationToken),
            [nameof(ProfilePage.Assignments)] = await assignments.OfAsync(caller, caller.Person, cancellationToken),
        });
    }

    public async Task<IResult> SearchAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Personer", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var q = context.Request.Query["q"].ToString().Trim();
        var errors = new FormErrors();
        IReadOnlyList<PeopleSearchPage.Result>? results = null;
        if (q.Length is 1 or > 64)
        {
            errors.Add("q", "Skriv minst två och högst 64 tecken av ett namn eller ett HSA-id.");
        }
        else if (q.Length > 0)
        {
            var tree = await directory.GetOrgTreeAsync(cancellationToken);
            results = (await people.SearchAsync(page.Caller, q, MaxResults, cancellationToken))
                // Named: the search finds only people the caller may act on, whom they may see (R10).
                .Select(p => new PeopleSearchPage.Result(p.Identity.HsaId, p.Identity.FullName,
                    string.Join("; ", p.Engagements.Where(e => !e.HasEndedBy(page.Caller.Today)).Select(e => $"{e.Title}, {PeopleTexts.UnitName(tree, e.OrgUnitId)}"))))
                .OrderBy(r => r.Name, StringComparer.Create(Swedish.Culture, ignoreCase: true))
                .ToList();
        }

        return Page.Render<PeopleSearchPage>(new Dictionary<string, object?>
        {
            [nameof(PeopleSearchPage.Frame)] = page.Frame,
            [nameof(PeopleSearchPage.Query)] = q.Length > 64 ? q[..64] : q,
            [nameof(PeopleSearchPage.Results)] = results,
            [nameof(PeopleSearchPage.Limit)] = MaxResults,
            [nameof(PeopleSearchPage.Errors)] = errors,
        }, errors.Any ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    public async Task<IResult> ShowAsync(HttpContext context, string hsaId, CancellationToken cancellationToken)
    {
        var (page, answer) = await session.OpenAsync(context, "Person", cancellationToken);
        if (page is null)
        {
            return answer!;
        }

        var caller = page.Caller;
        if (await people.FindAsync(caller, hsaId, cancellationToken) is not { } person)
        {
            // Unknown, protected from this reader, or outside their rights: one page for all, which names nobody (R10).
            return Page.Render<MessagePage>(new Dictionary<string, object?>
            {
                [nameof(MessagePage.Frame)] = page.Titled("Personen finns inte"),
                [nameof(MessagePage.Message)] = "Det finns ingen person med det HSA-id:t som du kan se. Kontrollera HSA-id:t, eller sök personen under Personer.",
            }, StatusCodes.Status404NotFound);
        }

        var orderable = (await people.OrderableEngagementsAsync(caller, person, cancellationToken)).Select(e => e.EngagementId).ToHashSet(StringComparer.Ordinal);
        return Page.Render<PersonPage>(new Dictionary<string, object?>
        {
            [nameof(PersonPage.Frame)] = page.Titled(PersonNames.Of(caller.Reader, person).Name),
            [nameof(PersonPage.Person)] = person,
            [nameof(PersonPage.Engagements)] = await EngagementRowsAsync(caller, person, orderable, cancellationToken),
            [nameof(PersonPage.Assignments)] = await assignments.OfAsync(caller, person, cancellationToken),
        });
    }

    /// <summary>The person's engagements with unit names, each manager named as the reader may see them (R10), and the order link where the reader may order.</summary>
    private async Task<IReadOnlyList<PersonDetails.EngagementRow>> EngagementRowsAsync(
        Caller caller, Person person, HashSet<string> orderable, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        List<PersonDetails.EngagementRow> rows = [];
        foreach (var engagement in person.Engagements.OrderByDescending(e => e.StartDate))
        {
            var manager = engagement.ManagerHsaId is { } id ? PersonName.Sentence((await names.OfAsync(caller.Reader, id, cancellationToken)).Name) : "–";
            var link = orderable.Contains(engagement.EngagementId)
                ? $"/bestall?person={Uri.EscapeDataString(person.Identity.HsaId)}&engagement={Uri.EscapeDataString(engagement.EngagementId)}"
                : null;
            rows.Add(new PersonDetails.EngagementRow(engagement, PeopleTexts.UnitName(tree, engagement.OrgUnitId), manager, link));
        }

        return rows;
    }
}
