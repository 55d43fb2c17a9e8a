using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.Amu;

public sealed record AmuApplicationRequest(List<string>? GroupIds, string? Motivation);

public sealed record AmuGroupRequest(string RequestId, string GroupId, AccessRequestStatus Status);

public sealed record AmuApplicationAccepted(string ApplicationId, AccessRequestStatus Status, IReadOnlyList<AmuGroupRequest> Requests);

/// <summary>
/// POST /api/amu-applications (R11): HTTP onto <see cref="AmuService.ApplyAsync"/>, which checks the caller and the input
/// completely before its first write, so a refused application stores nothing.
/// </summary>
public sealed class AmuEndpoints(CallerResolver callers, AmuService amu)
{
    public async Task<IResult> ApplyAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<AmuApplicationRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;
        var (accepted, refusal) = await amu.ApplyAsync(caller, new ApplyForAmuCommand(body.GroupIds, body.Motivation), durable, cancellationToken);
        return accepted is null ? refusal! : Results.Json(accepted, JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
