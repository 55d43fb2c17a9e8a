namespace Behorighetsportal.Storage;

/// <summary>
/// Every table the product owns. Partition keys follow the queries the API makes:
/// <list type="bullet">
/// <item><c>Identities</c>: PK = HSA-id; the identity, its engagements and user services share a partition,
/// so one query reads a person and one batch can change a user service with its side records.</item>
/// <item><c>ManagerIndex</c>: PK = manager HSA-id, RK = engagement id (who a manager is nearest manager for), with the
/// person and engagement for the search.</item>
/// <item><c>UnitIndex</c>: PK = org unit id, RK = engagement id (who an orderer's units cover).</item>
/// <item><c>PersonIndex</c>: PK = administration, RK = <c>{search key}|{hsaId}|{engagementId}</c>, one row per name order
/// and the HSA-id (the people search: a prefix is one range query; see Directory/PersonIndex).</item>
/// <item><c>OrgUnits</c>: PK = administration (the tree is read whole per administration).</item>
/// <item><c>Requests</c>: PK = the person a role or AMU membership is for, RK = request id.</item>
/// <item><c>Policies</c>: PK = administration, RK = policy id.</item>
/// <item><c>KivImports</c>: PK = import id: its progress and its batch in chunks.</item>
/// <item><c>PendingApprovals</c>: PK = the approver (a manager or group owner), RK = kind and id; what waits for whom.</item>
/// <item><c>Orders</c>: PK = order id (order row and approval row side by side).</item>
/// <item><c>AuditLog</c>: PK = subject (an order or delegation id), RK = time-ordered sequence; append only.</item>
/// <item><c>Delegations</c>: PK = HSA-id, RK = <c>given|{id}</c> on the manager's side and <c>received|{id}</c> on the
/// delegate's, so "what did I give" and "what do I hold" are each one partition query.</item>
/// <item><c>OneTimeActions</c>: PK = subject (order or delegation id), RK = action (an email, a message).</item>
/// <item><c>OrderIndex</c>: PK = a party to an order (orderer, the person it is for, the approver), RK = newest first; the lists of orders.</item>
/// <item><c>DataProtectionKeys</c>: the key ring antiforgery tokens are made with (PK = <c>keys</c>, RK = key id).
/// The host's, not the product's data: not in <see cref="All"/>, created when first used.</item>
/// </list>
/// </summary>
public static class TableNames
{
    public const string Identities = "Identities";
    public const string ManagerIndex = "ManagerIndex";
    public const string OrgUnits = "OrgUnits";
    public const string Orders = "Orders";
    public const string AuditLog = "AuditLog";
    public const string Delegations = "Delegations";
    public const string OneTimeActions = "OneTimeActions";
    public const string UnitIndex = "UnitIndex";
    public const string PersonIndex = "PersonIndex";
    public const string Requests = "Requests";
    public const string PendingApprovals = "PendingApprovals";
    public const string Policies = "Policies";
    public const string KivImports = "KivImports";
    public const string OrderIndex = "OrderIndex";
    public const string DataProtectionKeys = "DataProtectionKeys";

    public static readonly IReadOnlyList<string> All =
        [Identities, ManagerIndex, OrgUnits, Orders, AuditLog, Delegations, OneTimeActions, UnitIndex, Requests, PendingApprovals, Policies, KivImports, OrderIndex, PersonIndex];
}

public static class QueueNames
{
    /// <summary>Messages for the AD connector: a user service to create or change.</summary>
    public const string Provisioning = "provisioning";

    public static readonly IReadOnlyList<string> All = [Provisioning];
}
