using Behorighetsportal.Requests;

namespace Behorighetsportal.Amu.Pages;

/// <summary>An AMU application's status as its applicant reads it on /amu (R13: no enum names on a page).</summary>
public static class AmuTexts
{
    public static string StatusInSwedish(AccessRequestStatus status) => status switch
    {
        AccessRequestStatus.PendingApproval => "Väntar på godkännande",
        AccessRequestStatus.Approved => "Godkänd",
        AccessRequestStatus.Active => "Beviljad",
        AccessRequestStatus.Rejected => "Avslagen",
        AccessRequestStatus.Expired => "Upphörd, ingen beslutade i tid",
        AccessRequestStatus.Ended => "Avslutad",
        AccessRequestStatus.Failed => "Kunde inte skickas",
        _ => "Okänd",
    };

    /// <summary>The tag's colour: waiting, granted, closed, or failed.</summary>
    public static string TagOf(AccessRequestStatus status) => status switch
    {
        AccessRequestStatus.PendingApproval => "tag tag--wait",
        AccessRequestStatus.Approved or AccessRequestStatus.Active => "tag tag--ok",
        AccessRequestStatus.Failed => "tag tag--error",
        _ => "tag tag--end",
    };
}
