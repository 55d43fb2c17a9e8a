using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Delegations;

/// <summary>A delegation as a manager asks for it, from the JSON body or the delegation form: every field unchecked.</summary>
public sealed record CreateDelegationCommand(string? DelegateId, string? ValidFrom, string? ValidTo);

/// <summary>
/// Where a command came from, for the wording of its field messages only: the JSON API names its fields
/// ("validFrom"), the form names what a person chose ("Välj medarbetare"). The rules are the same.
/// </summary>
public enum DelegationInput
{
    Json,
    Form,
}

/// <summary>
/// Delegating the manager role (R8) — POST, GET /api/delegations, DELETE /api/delegations/{id} and /delegeringar alike:
/// every check on the caller and the input before the first write, so a refused delegation stores nothing; then the
/// delegation, its audit entry and its lifecycle — or, when the lifecycle cannot start, the delegation revoked again.
/// </summary>
public sealed class DelegationService(
    DirectoryRepository directory,
    PersonNames names,
    DelegationRepository delegations,
    AuditLog audit,
    IOptions<DelegationOptions> options,
    TimeProvider clock,
    ILogger<DelegationService> logger)
{
    /// <summary>The longest id a revocation looks up; anything longer is no delegation id.</summary>
    private const int MaxIdLength = 64;

    public int MaxPeriodDays => options.Value.MaxPeriodDays;

    /// <summary>Creates the delegation, or says why not (nothing stored then). The delegation returned is as stored.</summary>
    public async Task<(Delegation? Created, Refusal? Refusal)> CreateAsync(
        Caller caller, CreateDelegationCommand command, DelegationInput input, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var today = caller.Today;
        var invalid = Validate(command, input, caller.HsaId, today, options.Value.MaxPeriodDays, out var validFrom, out var validTo);
        if (invalid is not null)
        {
            return (null, invalid);
        }

        var managed = await directory.GetManagedEngagementsAsync(caller.HsaId, cancellationToken);
        if (managed.Count == 0)
        {
            return (null, Problems.Forbidden("Bara chefer kan delegera chefsrollen. Du är inte registrerad som närmaste chef för någon i Katalog i Väst."));
        }

        // R8: only to someone the manager is nearest manager for, on an engagement that has not ended.
        var deputy = managed.Any(m => m.HsaId == command.DelegateId)
            ? await directory.GetPersonAsync(command.DelegateId!, cancellationToken)
            : null;
        if (deputy is null || !IsCurrentReport(caller, deputy))
        {
            return (null, Problems.Forbidden("Du kan bara delegera chefsrollen till en medarbetare som du är närmaste chef för. Välj en av dina medarbetare."));
        }

        var existing = await delegations.ListGivenAsync(caller.HsaId, cancellationToken);
        if (existing.Any(d => d.DelegateId == deputy.Identity.HsaId
                              && d.Status is DelegationStatus.Scheduled or DelegationStatus.Active
                              && d.ValidFrom <= validTo && validFrom <= d.ValidTo))
        {
            return (null, Problems.Conflict("Delegeringen finns redan",
                $"Du har redan en delegering till {PersonNames.Of(caller.Reader, deputy).Name} som överlappar perioden. Ändra perioden eller återkalla den befintliga först."));
        }

        var delegation = new Delegation(Delegation.NewId(), caller.HsaId,
            deputy.Identity.HsaId, validFrom, validTo, DelegationStatus.Scheduled, clock.GetUtcNow());
        await delegations.CreateAsync(delegation, cancellationToken);
        await audit.AppendAsync(new AuditEntry(delegation.DelegationId, delegation.CreatedAt, "Created", caller.HsaId,
            $"Till {delegation.DelegateId}, {DirectoryRepository.Format(validFrom)}–{DirectoryRepository.Format(validTo)}"), cancellationToken);

        var lifecycle = new DelegationLifecycleInput(delegation.DelegationId, delegation.ManagerId,
            StockholmTime.StartOfDayUtc(validFrom), StockholmTime.EndOfDayUtc(validTo));
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationLifecycleOrchestrator), lifecycle,
                new StartOrchestrationOptions(delegation.DelegationId), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Compensation: a delegation whose lifecycle never started would never become active nor end by itself.
            DelegationLog.StartFailed(logger, e, delegation.DelegationId);
            await delegations.MoveToAsync(delegation.ManagerId, delegation.DelegationId, DelegationStatus.Revoked, "system", clock.GetUtcNow(), CancellationToken.None);
            return (null, Problems.TryAgain("Delegeringen kunde inte registreras just nu. Ingenting har delegerats; försök igen om en stund."));
        }

        DelegationLog.Created(logger, delegation.DelegationId, delegation.ManagerId, validFrom, validTo);
        return (delegation, null);
    }

    /// <summary>The delegations the caller gave and received, each in start order, named as the caller may see them (R10).</summary>
    public async Task<DelegationsView> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        var given = await delegations.ListGivenAsync(caller.HsaId, cancellationToken);
        var received = await delegations.ListReceivedAsync(caller.HsaId, cancellationToken);
        return new DelegationsView(
            await ViewsAsync(caller.Reader, given, cancellationToken), await ViewsAsync(caller.Reader, received, cancellationToken));
    }

    /// <summary>
    /// Whom the caller may delegate to (R8): the people they are nearest manager for on an engagement that has not
    /// ended, in name order. A delegate's borrowed role is not among them — only the manager's own reports.
    /// </summary>
    public async Task<IReadOnlyList<Person>> CandidatesAsync(Caller caller, CancellationToken cancellationToken)
    {
        var managed = await directory.GetManagedEngagementsAsync(caller.HsaId, cancellationToken);
        List<Person> candidates = [];
        foreach (var hsaId in managed.Select(m => m.HsaId).Where(id => id != caller.HsaId).Distinct(StringComparer.Ordinal))
        {
            if (await directory.GetPersonAsync(hsaId, cancellationToken) is { } person && IsCurrentReport(caller, person))
            {
                candidates.Add(person);
            }
        }

        return candidates.OrderBy(p => PersonNames.Of(caller.Reader, p).Name, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("sv-SE"), false)).ToList();
    }

    /// <summary>Revokes one of the caller's own delegations, or says why not. A repeat of a revocation is answered as done.</summary>
    public async Task<(Delegation? Revoked, Refusal? Refusal)> RevokeAsync(
        Caller caller, string delegationId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var delegation = delegationId.Length <= MaxIdLength ? await delegations.GetGivenAsync(caller.HsaId, delegationId, cancellationToken) : null;
        if (delegation is null)
        {
            // Someone else's delegation gets the same answer as an unknown id.
            return (null, Problems.NotFound("Delegeringen finns inte",
                $"Du har ingen delegering med id {delegationId}. Bara chefen som gav en delegering kan återkalla den."));
        }

        var now = clock.GetUtcNow();
        var (current, changed) = await delegations.MoveToAsync(caller.HsaId, delegation.DelegationId, DelegationStatus.Revoked, caller.HsaId, now, cancellationToken);
        if (!changed && current.Status != DelegationStatus.Revoked)
        {
            return (null, Problems.Conflict("Delegeringen har redan upphört", $"Delegeringen {delegation.DelegationId} har redan upphört och kan inte återkallas."));
        }

        if (changed)
        {
            await audit.AppendAsync(new AuditEntry(delegation.DelegationId, now, "Revoked", caller.HsaId), cancellationToken);
            DelegationLog.Revoked(logger, delegation.DelegationId, caller.HsaId);
        }

        // The rights are gone already (stored above); the event only ends the lifecycle's wait early.
        if (!await DurableSignals.TryRaiseAsync(durable, delegation.DelegationId, DelegationEvents.Revoked, caller.HsaId, logger, cancellationToken))
        {
            return (null, Problems.TryAgain($"Delegeringen {delegation.DelegationId} är återkallad, men arbetsflödet kunde inte nås just nu. Skicka återkallelsen igen om en stund."));
        }

        return (current, null);
    }

    private static bool IsCurrentReport(Caller caller, Person person) =>
        person.Engagements.Any(e => e.ManagerHsaId == caller.HsaId && !e.HasEndedBy(caller.Today));

    private async Task<IReadOnlyList<DelegationView>> ViewsAsync(Reader reader, IReadOnlyList<Delegation> list, CancellationToken cancellationToken)
    {
        List<DelegationView> views = [];
        foreach (var d in list.OrderBy(d => d.ValidFrom))
        {
            var manager = await names.OfAsync(reader, d.ManagerId, cancellationToken);
            var deputy = await names.OfAsync(reader, d.DelegateId, cancellationToken);
            views.Add(new DelegationView(d.DelegationId, manager.HsaId, manager.Name, deputy.HsaId, deputy.Name,
                DirectoryRepository.Format(d.ValidFrom)!, DirectoryRepository.Format(d.ValidTo)!, d.Status));
        }

        return views;
    }

    /// <summary>The fields alone (JSON names as keys of the errors): both dates required, the period inside the allowed window.</summary>
    private static Refusal? Validate(
        CreateDelegationCommand body, DelegationInput input, string callerId, DateOnly today, int maxDays, out DateOnly validFrom, out DateOnly validTo)
    {
        var json = input == DelegationInput.Json;
        var errors = new Dictionary<string, string[]>();
        validTo = default;
        if (string.IsNullOrWhiteSpace(body.DelegateId) || body.DelegateId.Length > MaxIdLength)
        {
            errors["delegateId"] = [json ? "Ange HSA-id för den medarbetare du delegerar till." : "Välj den medarbetare du delegerar chefsrollen till."];
        }
        else if (body.DelegateId == callerId)
        {
            errors["delegateId"] = ["Du kan inte delegera chefsrollen till dig själv. Välj en av dina medarbetare."];
        }

        var fromOk = DateWindow.TryParse(body.ValidFrom, out validFrom);
        var toOk = DateWindow.TryParse(body.ValidTo, out validTo);
        if (!fromOk)
        {
            errors["validFrom"] = [$"Ange startdatum{(json ? " (validFrom)" : "")} som ÅÅÅÅ-MM-DD. Delegering kräver både start- och slutdatum."];
        }
        else if (DateWindow.Requested(today).Check(validFrom, "Startdatum") is { } outside)
        {
            errors["validFrom"] = [outside];
        }

        if (!toOk)
        {
            errors["validTo"] = [$"Ange slutdatum{(json ? " (validTo)" : "")} som ÅÅÅÅ-MM-DD. Delegering kräver både start- och slutdatum."];
        }
        else if (validTo < today)
        {
            errors["validTo"] = ["Slutdatum kan inte ligga i det förflutna."];
        }
        else if (fromOk && validTo < validFrom)
        {
            errors["validTo"] = ["Slutdatum måste vara samma dag som startdatum eller senare."];
        }
        else if (validTo.DayNumber - (fromOk ? validFrom : today).DayNumber + 1 > maxDays)
        {
            errors["validTo"] = [$"En delegering får gälla högst {maxDays} dagar. Välj ett tidigare slutdatum."];
        }

        return errors.Count == 0 ? null : Problems.BadRequest("Delegeringen är inte komplett",
            "Rätta fälten och försök igen: " + string.Join(" ", errors.Values.SelectMany(v => v)), errors);
    }
}
