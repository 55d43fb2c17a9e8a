using System.ComponentModel.DataAnnotations;
using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Delegations;

public sealed class DelegationOptions
{
    public const string SectionName = "Delegations";

    /// <summary>The longest period a delegation may cover, in days (delegations are meant to be temporary).</summary>
    [Range(1, 3660)]
    public int MaxPeriodDays { get; set; } = 366;
}

/// <summary>The JSON body of POST /api/delegations.</summary>
public sealed record CreateDelegationRequest(string? DelegateId, string? ValidFrom, string? ValidTo)
{
    public CreateDelegationCommand ToCommand() => new(DelegateId, ValidFrom, ValidTo);
}

public sealed record DelegationAccepted(string DelegationId, DelegationStatus Status);

/// <summary>A delegation with the manager and delegate as the reader may see them: no HSA-id for someone protected from them (R10).</summary>
public sealed record DelegationView(
    string DelegationId, string? ManagerId, string ManagerName, string? DelegateId, string DelegateName,
    string ValidFrom, string ValidTo, DelegationStatus Status);

public sealed record DelegationsView(IReadOnlyList<DelegationView> Given, IReadOnlyList<DelegationView> Received);

/// <summary>
/// POST, GET /api/delegations and DELETE /api/delegations/{id} (R8): HTTP onto <see cref="DelegationService"/>, which
/// checks the caller and the input completely before its first write, so a rejected request changes nothing.
/// </summary>
public sealed class DelegationEndpoints(CallerResolver callers, DelegationService service)
{
    public async Task<IResult> CreateAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<CreateDelegationRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (delegation, refusal) = await service.CreateAsync(incoming.Caller, incoming.Body.ToCommand(), DelegationInput.Json, durable, cancellationToken);
        return delegation is null
            ? refusal!
            : Results.Json(new DelegationAccepted(delegation.DelegationId, delegation.Status), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request, cancellationToken);
        return caller is null
            ? Problems.Unauthorized()
            : Results.Json(await service.ListAsync(caller, cancellationToken), JsonBody.Options);
    }

    public async Task<IResult> RevokeAsync(HttpRequest request, string delegationId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (caller, problem) = await callers.ResolveForChangeAsync(request, cancellationToken);
        if (caller is null)
        {
            return problem!;
        }

        var (revoked, refusal) = await service.RevokeAsync(caller, delegationId, durable, cancellationToken);
        return revoked is null
            ? refusal!
            : Results.Json(new DelegationAccepted(revoked.DelegationId, DelegationStatus.Revoked), JsonBody.Options);
    }
}
