using Behorighetsportal.Directory;
using Behorighetsportal.Http;
using Behorighetsportal.Policies;

namespace Behorighetsportal.Orders.Pages;

/// <summary>What the order pages say about people and steps, in Swedish (R13) and with R10 for everyone named.</summary>
public sealed class OrderTexts(PersonNames names)
{
    /// <summary>The person as the caller may see them named (R10).</summary>
    public Task<PersonName> NameAsync(Caller caller, string hsaId, CancellationToken cancellationToken) =>
        names.OfAsync(caller.Reader, hsaId, cancellationToken);

    /// <summary>Who did a step: a person (R10), the portal itself, KiV, or an assignment policy.</summary>
    public async Task<string> ActorAsync(Caller caller, string actor, CancellationToken cancellationToken) => actor switch
    {
        OrderStep.System => "Portalen",
        "KiV" => "Katalog i Väst",
        _ when actor.StartsWith("tilldelningspolicy", StringComparison.Ordinal) => PersonName.Sentence(actor),
        _ when actor.StartsWith(PolicyRules.OrderPrefix, StringComparison.Ordinal) => actor,
        _ => PersonName.Sentence((await names.OfAsync(caller.Reader, actor, cancellationToken)).Name),
    };

    /// <summary>Every step the order's life writes to its history (grep "new AuditEntry(" and "new OrderStep("), in Swedish.</summary>
    public static string StepInSwedish(string step) => step switch
    {
        "Placed" => "Beställd",
        "ApprovalRequested" => "Skickad till chefen för godkännande",
        "ApprovalReminderSent" => "Påminnelse skickad till chefen",
        "ApprovalGiven" => "Chefen godkände",
        "ApprovalRefused" => "Chefen avslog",
        "Approved" => "Godkänd av chefen",
        "ApprovalRejected" => "Avslagen av chefen",
        "ApprovalExpired" => "Chefen svarade inte i tid",
        "AttestationApproved" => "Ekonomisk attest beviljad",
        "AttestationRejected" => "Ekonomisk attest nekad",
        "Attested" => "Attesterad av Marknadsplatsen",
        "AttestationExpired" => "Attesten kom inte i tid",
        "Activated" => "Aktiverad",
        "InitialPasswordNoticeSent" => "Chefen fick besked om initialt lösenord",
        "InitialPasswordShown" => "Initialt lösenord visat",
        "Cancelled" => "Avbruten",
        "EngagementEnded" => "Avbruten: engagemanget har upphört",
        "StartDateKeptMoving" => "Avbruten: startdatumet flyttades för många gånger",
        "StartFailed" => "Kunde inte startas",
        _ => "Annan händelse",
    };

    /// <summary>The statuses in the order they come, for the list's filter.</summary>
    public static IReadOnlyList<OrderStatus> Statuses { get; } = Enum.GetValues<OrderStatus>();
}
