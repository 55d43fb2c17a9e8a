using Behorighetsportal.Amu;
using Behorighetsportal.Delegations;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Requests;

namespace Behorighetsportal.Directory;

/// <summary>Whether an assigned permission holds today or begins later.</summary>
public enum AssignmentState
{
    Active,
    Scheduled,
}

public static class AssignmentStates
{
    /// <summary>The state as a person reads it (R13).</summary>
    public static string InSwedish(this AssignmentState state) => state == AssignmentState.Active ? "Aktiv" : "Kommande";
}

/// <summary>
/// One reason a permission is held (R12), as the reader may read it (R10). <see cref="OrderId"/> is the user-service
/// order the reason names when the reader may open it (/bestallningar/{id}); null when it names none or the reader may not.
/// </summary>
public sealed record AssignmentReason(string Text, string? OrderId = null);

/// <summary>One assigned permission with its validity, why it is held and whether it holds today (R12).</summary>
public sealed record AssignedPermission(
    string Resource, DateOnly? ValidFrom, DateOnly? ValidTo, IReadOnlyList<AssignmentReason> Reasons, AssignmentState State)
{
    /// <summary>The shape of GET /api/me/assignments.</summary>
    public Assignment ToJson() => new(Resource, DirectoryRepository.Format(ValidFrom), DirectoryRepository.Format(ValidTo),
        Reasons.Select(r => r.Text).ToList(), State.ToString());
}

/// <summary>
/// "Tilldelade behörigheter" (R12): what a person holds — the manager role from KiV (R7) or by delegation (R8), orderer
/// roles (R9), active user services and AMU memberships — each with its validity and reasons: the policy, the order,
/// "Delegerad av …", "Godkänd av …". Every person a reason names is named as the reader may see them (R10). GET
/// /api/me/assignments, /min-profil and /personer/{hsaId} read it here.
/// </summary>
public sealed class AssignedPermissions(
    DirectoryRepository directory, PersonNames names, DelegationRepository delegations, AccessRequestRepository requests, AmuCatalog amu,
    OrderRepository orders, OrderQueries orderQueries)
{
    public const string ManagerResource = "Chef";
    public const string OrdererResource = "Beställare (SDA)";

    /// <summary>What <paramref name="person"/> holds, as <paramref name="reader"/> may read it; the caller's own with <c>caller.Person</c>.</summary>
    public async Task<IReadOnlyList<AssignedPermission>> OfAsync(Caller reader, Person person, CancellationToken cancellationToken)
    {
        var hsaId = person.Identity.HsaId;
        var today = reader.Today;
        List<AssignedPermission> assignments = [];

        // R7: the manager role comes from KiV to whoever is registered as manager of an engagement.
        if ((await directory.GetManagedEngagementsAsync(hsaId, cancellationToken)).Count > 0)
        {
            assignments.Add(new AssignedPermission(ManagerResource, null, null, [new("KiV")], AssignmentState.Active));
        }

        // R8: a delegated manager role, with its period and who delegated it.
        foreach (var delegation in await delegations.ListReceivedAsync(hsaId, cancellationToken))
        {
            if (delegation.Status is DelegationStatus.Scheduled or DelegationStatus.Active && delegation.ValidTo >= today)
            {
                var manager = await names.OfAsync(reader.Reader, delegation.ManagerId, cancellationToken);
                assignments.Add(new AssignedPermission(ManagerResource, delegation.ValidFrom, delegation.ValidTo,
                    [new("Delegerad av " + manager.Name)], delegation.Status == DelegationStatus.Active ? AssignmentState.Active : AssignmentState.Scheduled));
            }
        }

        foreach (var role in person.OrdererRoles.Where(r => r.ValidTo is null || r.ValidTo >= today))
        {
            // R12: why it is held — the order it came from and who approved it (the manager who placed it, or the approver).
            List<AssignmentReason> reasons = [new("Enheter: " + string.Join(", ", role.OrgUnitIds))];
            if (await requests.GetAsync(role.HsaId, role.RoleId, cancellationToken) is { } order)
            {
                var approver = await names.OfAsync(reader.Reader, order.Approval?.By ?? order.RequestedBy, cancellationToken);
                reasons.Add(new("Beställning " + order.RequestId));
                var asDelegate = order.Approval?.Reference is { } managerId
                    ? " som delegat för " + (await names.OfAsync(reader.Reader, managerId, cancellationToken)).Name
                    : "";
                reasons.Add(new("Godkänd av " + approver.Name + asDelegate));
            }

            assignments.Add(new AssignedPermission(OrdererResource, role.ValidFrom, role.ValidTo, reasons,
                role.IsValidOn(today) ? AssignmentState.Active : AssignmentState.Scheduled));
        }

        foreach (var service in person.UserServices.Where(s => s.Status == UserServiceStatus.Active))
        {
            assignments.Add(new AssignedPermission($"Användartjänst {service.Level}", service.ActivatedOn, service.EndedOn,
                [.. await UserServiceReasonsAsync(reader, service, cancellationToken), new("Engagemang " + service.EngagementId)], AssignmentState.Active));
        }

        foreach (var membership in person.Memberships)
        {
            var approver = membership.ApprovedBy is null ? "gruppens ägare" : (await names.OfAsync(reader.Reader, membership.ApprovedBy, cancellationToken)).Name;
            assignments.Add(new AssignedPermission("AMU " + (amu.Find(membership.GroupId)?.Name ?? membership.GroupId), membership.GrantedOn, null,
                [new("Ansökan " + membership.RequestId), new("Godkänd av " + approver)], AssignmentState.Active));
        }

        return assignments;
    }

    /// <summary>
    /// A user service from KiV's own data ("KiV"), from an assignment policy (the order, then the policy by name: R5), or
    /// from an order (the order, then who approved it — or who placed it when no approval was needed: R2).
    /// </summary>
    private async Task<IReadOnlyList<AssignmentReason>> UserServiceReasonsAsync(Caller reader, UserService service, CancellationToken cancellationToken)
    {
        if (service.OrderId is not { } orderId)
        {
            return [new("KiV")];
        }

        var order = await orders.GetAsync(orderId, cancellationToken);
        if (order is null)
        {
            return [new("Beställning " + orderId)];
        }

        var link = await orderQueries.MaySeeAsync(reader, order, cancellationToken) ? order.OrderId : null;
        if (order.OrdererId.StartsWith(PolicyRules.OrdererPrefix, StringComparison.Ordinal))
        {
            return [new("Beställning " + orderId, link), new("Tilldelningspolicy " + order.OrdererId[PolicyRules.OrdererPrefix.Length..])];
        }

        var decided = order.Approval is { Approved: true } approval
            ? "Godkänd av " + (await names.OfAsync(reader.Reader, approval.By, cancellationToken)).Name
                + (approval.Reference is { } managerId && managerId != approval.By ? " som delegat för " + (await names.OfAsync(reader.Reader, managerId, cancellationToken)).Name : "")
            : "Beställd av " + (await names.OfAsync(reader.Reader, order.OrdererId, cancellationToken)).Name + " (inget godkännande behövdes)";
        return [new("Beställning " + orderId, link), new(decided)];
    }
}
