using Behorighetsportal.Amu;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Orders;

namespace Behorighetsportal.Requests;

/// <summary>How a request is described to people, in Swedish: unit and group names rather than ids.</summary>
public sealed class AccessRequestTexts(DirectoryRepository directory, AmuCatalog amu)
{
    public async Task<string> SummaryAsync(AccessRequest request)
    {
        if (request.Kind == AccessRequestKind.AmuMembership)
        {
            return "Medlemskap i AMU-gruppen " + string.Join(", ", request.Resources.Select(id => amu.Find(id)?.Name ?? id));
        }

        var tree = await directory.GetOrgTreeAsync();
        var units = string.Join(", ", request.Resources.Select(id => tree.Find(id)?.Name ?? id));
        var validity = (request.ValidFrom, request.ValidTo) switch
        {
            (null, null) => "tills vidare",
            (var from, null) => $"från och med {OrderEmails.Date(from!.Value)}",
            (null, var to) => $"till och med {OrderEmails.Date(to!.Value)}",
            var (from, to) => $"{OrderEmails.Date(from!.Value)} – {OrderEmails.Date(to!.Value)}",
        };
        return $"Användarrollen beställare (SDA) för {units}, {validity}";
    }

    /// <summary>In what role the approver is asked (R9, R11), with the manager a delegate acts for named for them (R10).</summary>
    public string ApproverRole(AccessRequest request, PersonName? onBehalfOf) =>
        request.Kind == AccessRequestKind.AmuMembership
            ? request.Resources.All(id => amu.Find(id)?.OwnerHsaId == request.ApproverId)
                ? "som ägare av gruppen"
                : "som närmaste chef, eftersom den som ansöker äger gruppen och inte får godkänna sin egen ansökan"
            : onBehalfOf is null ? "som närmaste chef" : $"som delegat för {onBehalfOf.Name}";
}

public static class AccessRequestEmails
{
    /// <summary>To an approver: <paramref name="subject"/> is named as this approver may see them (R10).</summary>
    public static EmailMessage ApprovalRequest(
        Identity approver, string role, PersonName subject, AccessRequest request, string summary, string link, DateTimeOffset expiresAt)
    {
        var template = new EmailTemplate(approver.GivenName)
            .Paragraph($"{PersonName.Sentence(subject.WithHsaId)} behöver ditt godkännande {role}.")
            .Paragraph(summary + (string.IsNullOrWhiteSpace(request.Motivation) ? "" : "\nMotivering: " + request.Motivation))
            .Link("Godkänn eller avslå", link)
            .Paragraph($"Länken gäller till och med {OrderEmails.Date(StockholmTime.DateOn(expiresAt))} och kan bara användas en gång.");
        return template.To(approver.Email, request.Kind == AccessRequestKind.AmuMembership
            ? "AMU-ansökan väntar på ditt godkännande"
            : "Beställning av beställarroll väntar på ditt godkännande");
    }

    public static EmailMessage NotApproved(Identity subject, AccessRequest request, string summary)
    {
        var what = request.Status == AccessRequestStatus.Rejected ? "avslogs" : "upphörde eftersom ingen godkände den i tid";
        return new EmailTemplate(subject.GivenName)
            .Paragraph($"Din begäran ({request.RequestId}) {what}: {summary}.")
            .Paragraph("Du kan göra en ny begäran i VGR behörighetsportal.")
            .To(subject.Email, request.Status == AccessRequestStatus.Rejected ? "Din begäran avslogs" : "Din begäran upphörde");
    }
}
