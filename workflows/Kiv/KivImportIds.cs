using Behorighetsportal.Delegations;
using Behorighetsportal.Leavers;
using Behorighetsportal.Orders;
using Behorighetsportal.Policies;
using Behorighetsportal.Requests;

namespace Behorighetsportal.Kiv;

/// <summary>
/// The ids KiV chooses for its paged imports live in a namespace of their own. An import's id names its workflow
/// and its audit trail, and both share their namespace with the portal's own objects: an import named like an
/// order would write into that order's history (the audit log keeps an order's entries with the order) and an
/// import named like a delegation or a leaver's timer would take that workflow's instance id. So an id is letters
/// A–Z, digits and hyphens only, and never begins as an id the portal makes itself.
/// </summary>
public static class KivImportIds
{
    public const int MaxLength = 64;

    /// <summary>How the portal's own ids begin: orders, policy orders, delegations, orderer-role orders, AMU
    /// applications, leavers' end timers, the nightly run and a saved policy's re-evaluation.</summary>
    public static readonly IReadOnlyList<string> ReservedPrefixes =
    [
        OrderIds.ManualPrefix, PolicyRules.OrderPrefix, Delegation.IdPrefix, AccessRequestIds.OrdererRolePrefix, AccessRequestIds.AmuPrefix,
        EngagementEndOrchestrator.InstancePrefix, NightlyReconciliationOrchestrator.NightlyPrefix, NightlyReconciliationOrchestrator.PolicyPrefix,
    ];

    /// <summary>What is wrong with an id KiV chose, in Swedish; null when it may be used.</summary>
    public static string? Problem(string? importId)
    {
        if (string.IsNullOrEmpty(importId) || importId.Length > MaxLength || !importId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return $"Ange importId: 1–{MaxLength} tecken, bara bokstäver A–Z, siffror och bindestreck. Samma importId på alla sidor i importen.";
        }

        return ReservedPrefixes.FirstOrDefault(p => importId.StartsWith(p, StringComparison.OrdinalIgnoreCase)) is { } reserved
            ? $"importId får inte börja med {reserved}: det ser ut som ett id för en beställning, delegering eller annat i portalen. " +
              $"Välj ett importId som inte börjar med {string.Join(", ", ReservedPrefixes)}, till exempel KIV-2026-11-28."
            : null;
    }
}
