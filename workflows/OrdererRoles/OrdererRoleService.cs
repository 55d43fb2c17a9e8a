using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.OrdererRoles;

/// <summary>An orderer-role order as a person asks for it, from the JSON body or the page's form: every field unchecked.</summary>
public sealed record OrderOrdererRoleCommand(IReadOnlyList<string>? OrgUnitIds, string? ValidFrom, string? ValidTo, string? IdentityId);

/// <summary>
/// How a refusal names the fields it is about: the JSON body's properties (what an integrator sends), or the form's
/// field ids and the words on the page. The rule is the same; only the names in its messages differ.
/// </summary>
public sealed record OrdererRoleFields(string Units, string ValidFrom, string ValidTo, bool NamesInMessages)
{
    public static OrdererRoleFields Json { get; } = new("orgUnitIds", "validFrom", "validTo", NamesInMessages: true);

    public static OrdererRoleFields Form { get; } = new("enheter", "startdatum", "slutdatum", NamesInMessages: false);
}

/// <summary>One unit of the tree the caller may order the role for, with its depth below the administration's top.</summary>
public sealed record OrderableUnit(OrgUnit Unit, int Level);

/// <summary>What the caller holds and has asked for: roles valid now or later, and orders not yet granted.</summary>
public sealed record OrdererRoleOverview(IReadOnlyList<OrdererRole> Held, IReadOnlyList<AccessRequest> Pending);

/// <summary>
/// The orderer role (R9), for POST /api/orderer-roles and /bestallarroll alike: ordered for org units of the person's own
/// administration, approved by their nearest line manager (or a delegate) unless that manager places the order;
/// temporary when dated. Units already held or already asked for are not asked for again. Every check comes before the
/// first write, so a refused order stores nothing.
/// </summary>
public sealed class OrdererRoleService(DirectoryRepository directory, AccessRequestRepository requests, AccessRequestStarter starter, TimeProvider clock)
{
    public const int MaxUnits = 50;

    /// <summary>Places the order, or says why not (nothing stored then). The request returned is as stored.</summary>
    public async Task<(AccessRequest? Placed, Refusal? Refusal)> PlaceAsync(
        Caller caller, OrderOrdererRoleCommand command, OrdererRoleFields fields, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var today = caller.Today;
        var errors = new Dictionary<string, string[]>();
        var units = (command.OrgUnitIds ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Distinct(StringComparer.Ordinal).ToList();
        if (units.Count == 0 || units.Count > MaxUnits || units.Any(u => u.Length > 64))
        {
            errors[fields.Units] = [fields.NamesInMessages
                ? $"Välj en till {MaxUnits} organisatoriska enheter ({fields.Units})."
                : $"Välj minst en enhet som beställarrollen ska gälla för (högst {MaxUnits})."];
        }

        // A temporary role lies inside the window every requested period does: it starts and ends within a year.
        var window = DateWindow.Requested(today);
        var validFrom = ParseOptionalDate(command.ValidFrom, fields.ValidFrom, "Startdatum", fields, window, errors);
        var validTo = ParseOptionalDate(command.ValidTo, fields.ValidTo, "Slutdatum", fields, window, errors);
        if (validFrom is { } from && validTo is { } until && until < from)
        {
            errors[fields.ValidTo] = ["Slutdatum måste vara samma dag som startdatum eller senare."];
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var unknown = units.Where(u => tree.Find(u) is null).ToList();
        if (unknown.Count > 0 && !errors.ContainsKey(fields.Units))
        {
            errors[fields.Units] = [$"Okända enheter: {string.Join(", ", unknown)}. Välj enheter som finns i Katalog i Väst."];
        }

        if (errors.Count > 0)
        {
            return (null, Problems.BadRequest("Beställningen av beställarroll är inte komplett",
                "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors));
        }

        // For whom: oneself, or — as their line manager or delegate — one's report (then no approval is needed).
        var subject = command.IdentityId is { Length: > 0 } id && id != caller.HsaId ? await directory.GetPersonAsync(id, cancellationToken) : caller.Person;
        var current = subject?.Engagements.Where(e => !e.HasEndedBy(today)).ToList() ?? [];
        if (subject is null || current.Count == 0 || (subject != caller.Person && !current.Any(e => caller.ActsAsManager(e.ManagerHsaId))))
        {
            return (null, subject == caller.Person
                ? Problems.Forbidden("Du har inget pågående engagemang och kan därför inte beställa beställarrollen.")
                : Problems.NotFound("Identiteten finns inte", $"Det finns ingen identitet med HSA-id {command.IdentityId} som du kan beställa beställarrollen för."));
        }

        var administrations = current.Select(e => tree.AdministrationOf(e.OrgUnitId)).ToHashSet();
        var outside = units.Where(u => !administrations.Contains(tree.AdministrationOf(u))).ToList();
        if (outside.Count > 0)
        {
            return (null, Problems.Forbidden($"Beställarrollen omfattar endast den egna förvaltningen. Enheterna {string.Join(", ", outside)} hör till en annan förvaltning."));
        }

        var engagement = current.First(e => tree.AdministrationOf(e.OrgUnitId) == tree.AdministrationOf(units[0]));
        var held = (await HeldOrAskedForAsync(subject, today, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var wanted = units.Where(u => !held.Contains(u)).ToList();
        if (wanted.Count == 0)
        {
            return (null, Problems.Conflict("Beställarrollen finns redan",
                "Beställarrollen för de valda enheterna finns redan eller är redan beställd. Välj andra enheter om du behöver utökad behörighet."));
        }

        // R9: no approval when the line manager (or their active delegate) orders for a report. R14: a delegate ordering
        // the role for themself is not "that manager": it waits for the manager like anyone's own order.
        var managerOrders = SeparationOfDuties.PlacingApproves(caller.HsaId, subject.Identity.HsaId, caller.ActsAsManager(engagement.ManagerHsaId));
        if (!managerOrders && engagement.ManagerHsaId is null)
        {
            return (null, Problems.Unprocessable("Chef saknas", "Ditt engagemang har ingen närmaste chef i Katalog i Väst, så beställningen kan inte godkännas. Kontakta din SIS-funktion."));
        }

        var access = new AccessRequest(AccessRequestIds.NewOrdererRole(), AccessRequestKind.OrdererRole,
            subject.Identity.HsaId, caller.HsaId, engagement.ManagerHsaId, wanted, validFrom, validTo, null,
            managerOrders ? AccessRequestStatus.Approved : AccessRequestStatus.PendingApproval, clock.GetUtcNow());
        return await starter.StartAsync(access, durable, cancellationToken) switch
        {
            AccessRequestStart.AlreadyRequested => (null, Problems.Conflict("Beställarrollen är redan beställd",
                "En likadan beställning av beställarrollen registrerades samtidigt och väntar redan på godkännande.")),
            AccessRequestStart.Failed => (null, Problems.TryAgain("Beställningen av beställarrollen kunde inte startas just nu. Ingenting har beställts; försök igen om en stund.")),
            _ => (access, null),
        };
    }

    /// <summary>The caller's roles that are valid now or later, and their orderer-role orders not yet granted (waiting for approval or for their first day).</summary>
    public async Task<OrdererRoleOverview> OverviewAsync(Caller caller, CancellationToken cancellationToken)
    {
        var held = caller.Person.OrdererRoles.Where(r => IsCurrentOrLater(r, caller.Today))
            .OrderBy(r => r.ValidFrom ?? DateOnly.MinValue).ToList();
        var pending = (await requests.ListForAsync(caller.HsaId, cancellationToken))
            .Where(r => r.Kind == AccessRequestKind.OrdererRole && r.Status is AccessRequestStatus.PendingApproval or AccessRequestStatus.Approved)
            .OrderByDescending(r => r.CreatedAt).ToList();
        return new OrdererRoleOverview(held, pending);
    }

    /// <summary>
    /// The unit tree of the caller's own administrations (those of their current engagements), depth first, each unit
    /// with its level: the units <see cref="PlaceAsync"/> accepts for the caller themself.
    /// </summary>
    public async Task<IReadOnlyList<OrderableUnit>> OrderableUnitsAsync(Caller caller, CancellationToken cancellationToken)
    {
        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var administrations = caller.Person.Engagements.Where(e => !e.HasEndedBy(caller.Today))
            .Select(e => tree.AdministrationOf(e.OrgUnitId)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var units = tree.Units.Where(u => administrations.Contains(u.Administration)).ToList();
        var ids = units.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var children = units.ToLookup(u => u.ParentId is { } parent && ids.Contains(parent) ? parent : null);
        var byName = StringComparer.Create(Web.Swedish.Culture, ignoreCase: true);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        List<OrderableUnit> ordered = [];

        // Depth first from each administration's top, siblings by name; bounded like OrgTree's walks (a cycle in a KiV batch).
        void Visit(string? parentId, int level)
        {
            foreach (var unit in children[parentId].OrderBy(u => u.Name, byName))
            {
                if (level < 64 && seen.Add(unit.Id))
                {
                    ordered.Add(new OrderableUnit(unit, level));
                    Visit(unit.Id, level + 1);
                }
            }
        }

        Visit(null, 0);
        return ordered;
    }

    /// <summary>Who decides the caller's order for themself (R9, R14): the nearest line managers of their current engagements.</summary>
    public static IReadOnlyList<string> ApproversOfOwnOrder(Caller caller) =>
        caller.Person.Engagements.Where(e => !e.HasEndedBy(caller.Today)).Select(e => e.ManagerHsaId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    private static bool IsCurrentOrLater(OrdererRole role, DateOnly today) => role.ValidTo is null || role.ValidTo >= today;

    /// <summary>Units the person holds the role for (now or later) or has an open order for: never asked for twice.</summary>
    private async Task<IEnumerable<string>> HeldOrAskedForAsync(Person subject, DateOnly today, CancellationToken cancellationToken) =>
        subject.OrdererRoles.Where(r => IsCurrentOrLater(r, today)).SelectMany(r => r.OrgUnitIds)
            .Concat((await requests.ListForAsync(subject.Identity.HsaId, cancellationToken))
                .Where(r => r.Kind == AccessRequestKind.OrdererRole && r.IsOpen).SelectMany(r => r.Resources));

    /// <summary>An optional date inside the window; null when absent, or when wrong (and then named in <paramref name="errors"/>).</summary>
    private static DateOnly? ParseOptionalDate(
        string? text, string field, string label, OrdererRoleFields fields, DateWindow window, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!DateWindow.TryParse(text, out var date))
        {
            errors[field] = [$"Ange {(fields.NamesInMessages ? field : label.ToLowerInvariant())} som ÅÅÅÅ-MM-DD, eller lämna fältet tomt för en roll tills vidare."];
            return null;
        }

        if (window.Check(date, label) is { } outside)
        {
            errors[field] = [outside];
            return null;
        }

        return date;
    }
}
