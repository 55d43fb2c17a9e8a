using System.ComponentModel.DataAnnotations;
using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Delegations;

public sealed class DelegationOptions
{
    public const string SectionName = "Delegations";

    /// <summary>The longest period a delegation may cover, in days (delegations are meant to be temporary).</summary>
    [Range(1, 3660)]
    public int MaxPeriodDays { get; set; } = 366;
}

public sealed record CreateDelegationRequest(string? DelegateId, string? ValidFrom, string? ValidTo);

public sealed record DelegationAccepted(string DelegationId, DelegationStatus Status);

/// <summary>A delegation with the manager and delegate as the reader may see them: no HSA-id for someone protected from them (R10).</summary>
public sealed record DelegationView(
    string DelegationId, string? ManagerId, string ManagerName, string? DelegateId, string DelegateName,
    string ValidFrom, string ValidTo, DelegationStatus Status);

public sealed record DelegationsView(IReadOnlyList<DelegationView> Given, IReadOnlyList<DelegationView> Received);

/// <summary>POST, GET /api/delegations and DELETE /api/delegations/{id} (R8).</summary>
public sealed class DelegationEndpoints(
    CallerResolver callers,
    DirectoryRepository directory,
    PersonNames names,
    DelegationRepository delegations,
    AuditLog audit,
    IOptions<DelegationOptions> options,
    TimeProvider clock,
    ILogger<DelegationEndpoints> logger)
{
    public async Task<IResult> CreateAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<CreateDelegationRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (resolved, body) = incoming;
        var caller = resolved.Person;
        var today = resolved.Today;
        var invalid = Validate(body, caller.Identity.HsaId, today, options.Value.MaxPeriodDays, out var validFrom, out var validTo);
        if (invalid is not null)
        {
            return invalid;
        }

        var managed = await directory.GetManagedEngagementsAsync(caller.Identity.HsaId, cancellationToken);
        if (managed.Count == 0)
        {
            return Problems.Forbidden("Bara chefer kan delegera chefsrollen. Du är inte registrerad som närmaste chef för någon i Katalog i Väst.");
        }

        // R8: only to someone the manager is nearest manager for, on an engagement that has not ended.
        var deputy = managed.Any(m => m.HsaId == body.DelegateId)
            ? await directory.GetPersonAsync(body.DelegateId!, cancellationToken)
            : null;
        if (deputy is null || !deputy.Engagements.Any(e => e.ManagerHsaId == caller.Identity.HsaId && !e.HasEndedBy(today)))
        {
            return Problems.Forbidden("Du kan bara delegera chefsrollen till en medarbetare som du är närmaste chef för. Välj en av dina medarbetare.");
        }

        var existing = await delegations.ListGivenAsync(caller.Identity.HsaId, cancellationToken);
        if (existing.Any(d => d.DelegateId == deputy.Identity.HsaId
                              && d.Status is DelegationStatus.Scheduled or DelegationStatus.Active
                              && d.ValidFrom <= validTo && validFrom <= d.ValidTo))
        {
            return Problems.Conflict("Delegeringen finns redan",
                $"Du har redan en delegering till {PersonNames.Of(resolved.Reader, deputy).Name} som överlappar perioden. Ändra perioden eller återkalla den befintliga först.");
        }

        var delegation = new Delegation(Delegation.NewId(), caller.Identity.HsaId,
            deputy.Identity.HsaId, validFrom, validTo, DelegationStatus.Scheduled, clock.GetUtcNow());
        await delegations.CreateAsync(delegation, cancellationToken);
        await audit.AppendAsync(new AuditEntry(delegation.DelegationId, delegation.CreatedAt, "Created", caller.Identity.HsaId,
            $"Till {delegation.DelegateId}, {DirectoryRepository.Format(validFrom)}–{DirectoryRepository.Format(validTo)}"), cancellationToken);

        var input = new DelegationLifecycleInput(delegation.DelegationId, delegation.ManagerId,
            StockholmTime.StartOfDayUtc(validFrom), StockholmTime.EndOfDayUtc(validTo));
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationLifecycleOrchestrator), input,
                new StartOrchestrationOptions(delegation.DelegationId), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            DelegationLog.StartFailed(logger, e, delegation.DelegationId);
            await delegations.MoveToAsync(delegation.ManagerId, delegation.DelegationId, DelegationStatus.Revoked, "system", clock.GetUtcNow(), CancellationToken.None);
            return Problems.TryAgain("Delegeringen kunde inte registreras just nu. Ingenting har delegerats; försök igen om en stund.");
        }

        DelegationLog.Created(logger, delegation.DelegationId, delegation.ManagerId, validFrom, validTo);
        return Results.Json(new DelegationAccepted(delegation.DelegationId, delegation.Status), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        if (caller is null)
        {
            return Problems.Unauthorized();
        }

        var given = await delegations.ListGivenAsync(caller.HsaId, cancellationToken);
        var received = await delegations.ListReceivedAsync(caller.HsaId, cancellationToken);
        return Results.Json(new DelegationsView(
            await ViewsAsync(caller.Reader, given, cancellationToken), await ViewsAsync(caller.Reader, received, cancellationToken)), JsonBody.Options);
    }

    public async Task<IResult> RevokeAsync(HttpRequest request, string delegationId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (resolved, problem) = await callers.ResolveForChangeAsync(request, cancellationToken);
        if (resolved is null)
        {
            return problem!;
        }

        var caller = resolved.Person.Identity;

        var delegation = delegationId.Length <= 64 ? await delegations.GetGivenAsync(caller.HsaId, delegationId, cancellationToken) : null;
        if (delegation is null)
        {
            // Someone else's delegation gets the same answer as an unknown id.
            return Problems.NotFound("Delegeringen finns inte",
                $"Du har ingen delegering med id {delegationId}. Bara chefen som gav en delegering kan återkalla den.");
        }

        var now = clock.GetUtcNow();
        var (current, changed) = await delegations.MoveToAsync(caller.HsaId, delegation.DelegationId, DelegationStatus.Revoked, caller.HsaId, now, cancellationToken);
        if (!changed && current.Status != DelegationStatus.Revoked)
        {
            return Problems.Conflict("Delegeringen har redan upphört", $"Delegeringen {delegation.DelegationId} har redan upphört och kan inte återkallas.");
        }

        if (changed)
        {
            await audit.AppendAsync(new AuditEntry(delegation.DelegationId, now, "Revoked", caller.HsaId), cancellationToken);
            DelegationLog.Revoked(logger, delegation.DelegationId, caller.HsaId);
        }

        // The rights are gone already (stored above); the event only ends the lifecycle's wait early.
        if (!await DurableSignals.TryRaiseAsync(durable, delegation.DelegationId, DelegationEvents.Revoked, caller.HsaId, logger, cancellationToken))
        {
            return Problems.TryAgain($"Delegeringen {delegation.DelegationId} är återkallad, men arbetsflödet kunde inte nås just nu. Skicka återkallelsen igen om en stund.");
        }

        return Results.Json(new DelegationAccepted(delegation.DelegationId, DelegationStatus.Revoked), JsonBody.Options);
    }

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

    private static Refusal? Validate(CreateDelegationRequest body, string callerId, DateOnly today, int maxDays, out DateOnly validFrom, out DateOnly validTo)
    {
        var errors = new Dictionary<string, string[]>();
        validTo = default;
        if (string.IsNullOrWhiteSpace(body.DelegateId) || body.DelegateId.Length > 64)
        {
            errors["delegateId"] = ["Ange HSA-id för den medarbetare du delegerar till."];
        }
        else if (body.DelegateId == callerId)
        {
            errors["delegateId"] = ["Du kan inte delegera chefsrollen till dig själv. Välj en av dina medarbetare."];
        }

        var fromOk = DateWindow.TryParse(body.ValidFrom, out validFrom);
        var toOk = DateWindow.TryParse(body.ValidTo, out validTo);
        if (!fromOk)
        {
            errors["validFrom"] = ["Ange startdatum (validFrom) som ÅÅÅÅ-MM-DD. Delegering kräver både start- och slutdatum."];
        }
        else if (DateWindow.Requested(today).Check(validFrom, "Startdatum") is { } outside)
        {
            errors["validFrom"] = [outside];
        }

        if (!toOk)
        {
            errors["validTo"] = ["Ange slutdatum (validTo) som ÅÅÅÅ-MM-DD. Delegering kräver både start- och slutdatum."];
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
