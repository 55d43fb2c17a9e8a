using Behorighetsportal.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Policies;

/// <summary>A policy as sent: <c>kinds</c> (optional) are engagement kinds by their Swedish names.</summary>
public sealed record PolicyBody(string? Administration, string? UnderOrgUnitId, List<string>? Titles, string? Level, int? Priority, List<string>? Kinds = null)
{
    public PolicyCommand ToCommand() => new(Administration, UnderOrgUnitId, Titles, Level, Priority, Kinds);
}

/// <summary>
/// GET /api/policies, PUT /api/policies/{id} and POST /api/policies/{id}/preview (R5): HTTP onto <see cref="PolicyService"/>.
/// Saving answers what changes for the engagements the old and the new policy cover and has a durable run carry it out;
/// preview shows, without changing anything, who would gain, lose or change level.
/// </summary>
public sealed class PolicyEndpoints(CallerResolver callers, PolicyService policies)
{
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (await callers.ResolveAsync(request, cancellationToken) is null)
        {
            return Problems.Unauthorized();
        }

        return Results.Json((await policies.ListAsync(cancellationToken)).Select(PolicyService.View).ToList(), JsonBody.Options);
    }

    public async Task<IResult> PreviewAsync(HttpRequest request, string policyId, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<PolicyBody>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (preview, refusal) = await policies.PreviewAsync(incoming.Caller, policyId, incoming.Body.ToCommand(), cancellationToken);
        return preview is null ? refusal! : Results.Json(preview, JsonBody.Options);
    }

    public async Task<IResult> SaveAsync(HttpRequest request, string policyId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<PolicyBody>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (saved, refusal) = await policies.SaveAsync(incoming.Caller, policyId, incoming.Body.ToCommand(), durable, cancellationToken);
        return saved is null ? refusal! : Results.Json(saved, JsonBody.Options);
    }
}
