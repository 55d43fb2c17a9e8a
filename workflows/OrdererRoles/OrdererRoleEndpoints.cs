using Behorighetsportal.Http;
using Behorighetsportal.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Behorighetsportal.OrdererRoles;

public sealed record OrderOrdererRoleRequest(List<string>? OrgUnitIds, string? ValidFrom, string? ValidTo, string? IdentityId);

public sealed record AccessRequestAccepted(string OrderId, AccessRequestStatus Status, IReadOnlyList<string> OrgUnitIds);

/// <summary>
/// POST /api/orderer-roles (R9): reads the caller and the body and answers what <see cref="OrdererRoleService"/> decides —
/// 202 with the order, or the refusal as problem details naming the body's fields.
/// </summary>
public sealed class OrdererRoleEndpoints(CallerResolver callers, OrdererRoleService service)
{
    public async Task<IResult> OrderAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (incoming, problem) = await callers.ResolveWithBodyAsync<OrderOrdererRoleRequest>(request, cancellationToken);
        if (incoming is null)
        {
            return problem!;
        }

        var (caller, body) = incoming;
        var (placed, refusal) = await service.PlaceAsync(caller, new OrderOrdererRoleCommand(body.OrgUnitIds, body.ValidFrom, body.ValidTo, body.IdentityId),
            OrdererRoleFields.Json, durable, cancellationToken);
        return placed is null
            ? refusal!
            : Results.Json(new AccessRequestAccepted(placed.RequestId, placed.Status, placed.Resources), JsonBody.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
