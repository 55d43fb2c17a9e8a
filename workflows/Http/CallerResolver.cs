using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Microsoft.AspNetCore.Http;

namespace Behorighetsportal.Http;

/// <summary>
/// A signed-in person as the server sees them at the moment of the request: who they are and whose manager
/// role they hold through an active delegation. Built per request, so rights follow the delegation's state
/// now, not when a link was mailed.
/// </summary>
public sealed record Caller(Person Person, IReadOnlySet<string> DelegatedManagers, DateOnly Today)
{
    public string HsaId => Person.Identity.HsaId;

    public bool ActsAsManager(string? managerHsaId) => ActingRights.ActsAsManager(HsaId, managerHsaId, DelegatedManagers);

    /// <summary>The caller as the reader of what they are shown (R10).</summary>
    public Reader Reader => new(HsaId, DelegatedManagers, Today);
}

/// <summary>A signed-in caller with the body they sent.</summary>
public sealed record CallerRequest<T>(Caller Caller, T Body);

public sealed class CallerResolver(CallerReader reader, SameOriginPolicy origins, DirectoryRepository directory, DelegationRepository delegations, TimeProvider clock)
{
    /// <summary>The caller, or null when there is no readable principal or the HSA-id is unknown (401).</summary>
    public async Task<Caller?> ResolveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var hsaId = reader.PersonHsaId(request);
        return hsaId is null ? null : await ResolveAsync(hsaId, cancellationToken);
    }

    /// <summary>
    /// The caller and the request's JSON body, or the problem to answer with: 403 for a browser request from another
    /// site, 401 before anything is read, 415 for a body not declared JSON, 413 for one too large, then 400 for a body
    /// that is not a JSON object of the expected shape.
    /// </summary>
    public async Task<(CallerRequest<T>? Request, IResult? Problem)> ResolveWithBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var (caller, problem) = await ResolveSenderAsync(request, cancellationToken);
        if (caller is null)
        {
            return (null, problem);
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync<T>(request, cancellationToken);
        return body is null ? (null, bodyProblem ?? Problems.MalformedJson()) : (new CallerRequest<T>(caller, body), null);
    }

    /// <summary>
    /// The caller of a request that changes state and reads no body (a cancellation, a revocation), or the problem:
    /// 403 for a browser request from another site, 401, and 415 for a body sent in anything but JSON.
    /// </summary>
    public async Task<(Caller? Caller, IResult? Problem)> ResolveForChangeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (caller, problem) = await ResolveSenderAsync(request, cancellationToken);
        return caller is null ? (null, problem)
            : JsonBody.ContentTypeProblem(request, readsBody: false) is { } wrongType ? (null, wrongType)
            : (caller, null);
    }

    private async Task<(Caller? Caller, IResult? Problem)> ResolveSenderAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (origins.IsCrossSite(request))
        {
            return (null, Problems.CrossSite());
        }

        var caller = await ResolveAsync(request, cancellationToken);
        return caller is null ? (null, Problems.Unauthorized()) : (caller, null);
    }

    public async Task<Caller?> ResolveAsync(string hsaId, CancellationToken cancellationToken)
    {
        var person = await directory.GetPersonAsync(hsaId, cancellationToken);
        if (person is null)
        {
            return null;
        }

        var today = StockholmTime.Today(clock);
        var managers = (await delegations.ActiveReceivedAsync(hsaId, today, cancellationToken)).Select(d => d.ManagerId).ToHashSet(StringComparer.Ordinal);
        return new Caller(person, managers, today);
    }

    /// <summary>
    /// Who may be asked to decide, with <paramref name="managerHsaId"/>'s role, a request about
    /// <paramref name="subjectHsaId"/>: the holders of the role today but the person it is about (R14).
    /// </summary>
    public async Task<IReadOnlyList<(string HsaId, bool AsDelegate)>> ApproversAsync(string managerHsaId, string subjectHsaId, CancellationToken cancellationToken) =>
        SeparationOfDuties.Askable(await ManagerRoleHoldersAsync(managerHsaId, cancellationToken), h => h.HsaId, subjectHsaId);

    /// <summary>Who holds the manager role of <paramref name="managerHsaId"/> today: the manager and active delegates.</summary>
    public async Task<IReadOnlyList<(string HsaId, bool AsDelegate)>> ManagerRoleHoldersAsync(string managerHsaId, CancellationToken cancellationToken)
    {
        var today = StockholmTime.Today(clock);
        var deputies = (await delegations.ListGivenAsync(managerHsaId, cancellationToken)).Where(d => d.IsActiveOn(today)).Select(d => (d.DelegateId, true));
        return [(managerHsaId, false), .. deputies.Distinct()];
    }
}
