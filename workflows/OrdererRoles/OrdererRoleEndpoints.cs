using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.OrdererRoles;

public sealed record OrderOrdererRoleRequest(List<string>? OrgUnitIds, string? ValidFrom, string? ValidTo, string? IdentityId);

public sealed record AccessRequestAccepted(string OrderId, AccessRequestStatus Status, IReadOnlyList<string> OrgUnitIds);

/// <summary>
/// POST /api/orderer-roles (R9): the orderer role for org units of the person's own administration, approved by
/// their nearest line manager (or a delegate) unless that manager places the order. Temporary when dated. Units
/// already held or already asked for are not asked for again.
/// </summary>
public sealed class OrdererRoleEndpoints(CallerResolver callers, DirectoryRepository directory, AccessRequestRepository requests, AccessRequestStarter starter, TimeProvider clock)
{
    private const int MaxUnits = 50;

    public async Task<IResult> OrderAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<OrderOrdererRoleRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;

        var today = caller.Today;
        var errors = new Dictionary<string, string[]>();
        var units = (body.OrgUnitIds ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Distinct(StringComparer.Ordinal).ToList();
        if (units.Count == 0 || units.Count > MaxUnits || units.Any(u => u.Length > 64))
        {
            errors["orgUnitIds"] = [$"Välj en till {MaxUnits} organisatoriska enheter (orgUnitIds)."];
        }

        // A temporary role lies inside the window every requested period does: it starts and ends within a year.
        var window = DateWindow.Requested(today);
        var validFrom = ParseOptionalDate(body.ValidFrom, "validFrom", "Startdatum", window, errors);
        var validTo = ParseOptionalDate(body.ValidTo, "validTo", "Slutdatum", window, errors);
        if (validFrom is { } from && validTo is { } until && until < from)
        {
            errors["validTo"] = ["Slutdatum måste vara samma dag som startdatum eller senare."];
        }

        var tree = await directory.GetOrgTreeAsync(cancellationToken);
        var unknown = units.Where(u => tree.Find(u) is null).ToList();
        if (unknown.Count > 0 && !errors.ContainsKey("orgUnitIds"))
        {
            errors["orgUnitIds"] = [$"Okända enheter: {string.Join(", ", unknown)}. Välj enheter som finns i Katalog i Väst."];
        }

        if (errors.Count > 0)
        {
            return Problems.BadRequest("Beställningen av beställarroll är inte komplett",
                "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);
        }

        // For whom: oneself, or — as their line manager or delegate — one's report (then no approval is needed).
        var subject = body.IdentityId is { Length: > 0 } id && id != caller.HsaId ? await directory.GetPersonAsync(id, cancellationToken) : caller.Person;
        var current = subject?.Engagements.Where(e => !e.HasEndedBy(today)).ToList() ?? [];
        if (subject is null || current.Count == 0 || (subject != caller.Person && !current.Any(e => caller.ActsAsManager(e.ManagerHsaId))))
        {
            return subject == caller.Person
                ? Problems.Forbidden("Du har inget pågående engagemang och kan därför inte beställa beställarrollen.")
                : Problems.NotFound("Identiteten finns inte", $"Det finns ingen identitet med HSA-id {body.IdentityId} som du kan beställa beställarrollen för.");
        }

        var administrations = current.Select(e => tree.AdministrationOf(e.OrgUnitId)).ToHashSet();
        var outside = units.Where(u => !administrations.Contains(tree.AdministrationOf(u))).ToList();
        if (outside.Count > 0)
        {
            return Problems.Forbidden($"Beställarrollen omfattar endast den egna förvaltningen. Enheterna {string.Join(", ", outside)} hör till en annan förvaltning.");
        }

        var engagement = current.First(e => tree.AdministrationOf(e.OrgUnitId) == tree.AdministrationOf(units[0]));
        var held = subject.OrdererRoles.Where(r => r.ValidTo is null || r.ValidTo >= today).SelectMany(r => r.OrgUnitIds)
            .Concat((await requests.ListForAsync(subject.Identity.HsaId, cancellationToken))
                .Where(r => r.Kind == AccessRequestKind.OrdererRole && r.IsOpen).SelectMany(r => r.Resources))
            .ToHashSet(StringComparer.Ordinal);
        var wanted = units.Where(u => !held.Contains(u)).ToList();
        if (wanted.Count == 0)
        {
            return Problems.Conflict("Beställarrollen finns redan",
                "Beställarrollen för de valda enheterna finns redan eller är redan beställd. Välj andra enheter om du behöver utökad behörighet.");
        }

        // R9: no approval when the line manager (or their active delegate) orders for a report. R14: a delegate ordering
        // the role for themself is not "that manager": it waits for the manager like anyone's own order.
        var managerOrders = SeparationOfDuties.PlacingApproves(caller.HsaId, subject.Identity.HsaId, caller.ActsAsManager(engagement.ManagerHsaId));
        if (!managerOrders && engagement.ManagerHsaId is null)
        {
            return Problems.Unprocessable("Chef saknas", "Ditt engagemang har ingen närmaste chef i Katalog i Väst, så beställningen kan inte godkännas. Kontakta din SIS-funktion.");
        }

        var access = new AccessRequest(AccessRequestIds.NewOrdererRole(), AccessRequestKind.OrdererRole,
            subject.Identity.HsaId, caller.HsaId, engagement.ManagerHsaId, wanted, validFrom, validTo, null,
            managerOrders ? AccessRequestStatus.Approved : AccessRequestStatus.PendingApproval, clock.GetUtcNow());
        switch (await starter.StartAsync(access, durable, cancellationToken))
        {
            case AccessRequestStart.AlreadyRequested:
                return Problems.Conflict("Beställarrollen är redan beställd",
                    "En likadan beställning av beställarrollen registrerades samtidigt och väntar redan på godkännande.");
            case AccessRequestStart.Failed:
                return Problems.TryAgain("Beställningen av beställarrollen kunde inte startas just nu. Ingenting har beställts; försök igen om en stund.");
        }

        return Results.Json(new AccessRequestAccepted(access.RequestId, access.Status, wanted), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>An optional date inside the window; null when absent, or when wrong (and then named in <paramref name="errors"/>).</summary>
    private static DateOnly? ParseOptionalDate(string? text, string field, string label, DateWindow window, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!DateWindow.TryParse(text, out var date))
        {
            errors[field] = [$"Ange {field} som ÅÅÅÅ-MM-DD, eller lämna fältet tomt för en roll tills vidare."];
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
