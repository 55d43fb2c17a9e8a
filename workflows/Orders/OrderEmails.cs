using System.Globalization;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;

namespace Behorighetsportal.Orders;

/// <summary>
/// The emails of the order lifecycle, in Swedish (R13). Subjects carry no names: they reach mail logs. Every person a
/// body names comes as a <see cref="PersonName"/> made for its recipient (R10, <see cref="PersonNames"/>).
/// </summary>
public static class OrderEmails
{
    private static readonly CultureInfo Swedish = CultureInfo.GetCultureInfo("sv-SE");

    public static EmailMessage ApprovalRequest(
        Identity approver, PersonName? onBehalfOf, PersonName target, Engagement engagement, string unitName, PersonName orderer,
        Order order, ServiceLevel level, string link, DateTimeOffset expiresAt, bool reminder)
    {
        var template = new EmailTemplate(approver.GivenName);
        var role = onBehalfOf is null ? "som närmaste chef" : $"som delegat för {onBehalfOf.Name} (chefsrollen är delegerad till dig)";
        if (reminder)
        {
            template.Paragraph("Detta är en påminnelse: en beställning väntar fortfarande på ditt godkännande.");
        }

        template
            .Paragraph($"{PersonName.Sentence(orderer.Name)} har beställt användartjänst för {target.Name} och beställningen behöver ditt godkännande {role}.")
            .Paragraph(
                $"Medarbetare: {target.WithHsaId}\n" +
                $"Engagemang: {engagement.Title}, {unitName}\n" +
                $"Nivå: {level.Level} – {level.Description}\n" +
                $"Kostnad: {level.MonthlyCostSek.ToString(Swedish)} kr per månad\n" +
                $"Önskat startdatum: {Date(order.StartDate)} (aktiveras tidigast {Date(order.ActivationDate)})\n" +
                $"Beställare: {orderer.Name}\n" +
                $"Kommentar: {(string.IsNullOrWhiteSpace(order.Comment) ? "–" : order.Comment)}")
            .Link("Godkänn eller avslå beställningen", link)
            .Paragraph($"Länken gäller till och med {Date(DateOnly.FromDateTime(StockholmTimeOf(expiresAt)))} och kan bara användas en gång. Svarar ingen före dess upphör beställningen att gälla.");
        return template.To(approver.Email, reminder ? "Påminnelse: beställning väntar på ditt godkännande" : "Beställning väntar på ditt godkännande");
    }

    /// <summary>What GET /api/me/approvals says of an order waiting for approval.</summary>
    public static string ApprovalSummary(Order order, PersonName target) =>
        $"Användartjänst {order.Level} för {target.Name}, aktiveras tidigast {DirectoryRepository.Format(order.ActivationDate)}";

    public static EmailMessage OrdererNotice(Identity orderer, PersonName target, Order order, OrderStatus outcome)
    {
        var (subject, what) = outcome switch
        {
            OrderStatus.Rejected when order.Attestation is { Outcome: DecisionOutcome.Rejected } =>
                ("Beställning avslogs i ekonomisk attest", "avslogs vid den ekonomiska attesten i Marknadsplatsen"),
            OrderStatus.Rejected => ("Beställning avslogs av chef", "avslogs av närmaste chef"),
            OrderStatus.Expired when order.Attestation is { Outcome: DecisionOutcome.Expired } =>
                ("Beställning upphörde – ingen ekonomisk attest", "upphörde eftersom ingen ekonomisk attest kom i tid"),
            OrderStatus.Expired => ("Beställning upphörde – inget godkännande", "upphörde eftersom chefen inte godkände den i tid"),
            _ => ("Beställning avbröts", "avbröts eftersom engagemanget har upphört"),
        };
        return new EmailTemplate(orderer.GivenName)
            .Paragraph($"Din beställning av användartjänsten {order.Level} för {target.Name} (beställning {order.OrderId}) {what}.")
            .Paragraph("Behövs användartjänsten fortfarande kan du göra en ny beställning i VGR behörighetsportal.")
            .To(orderer.Email, subject);
    }

    public static EmailMessage InitialPasswordNotice(Identity manager, PersonName target, Order order, string link)
    {
        return new EmailTemplate(manager.GivenName)
            .Paragraph($"Användartjänsten {order.Level} för {target.Name} är aktiverad från och med {Date(order.ActivationDate)}. Det är dags att hämta det initiala lösenordet och lämna det till medarbetaren.")
            .Link("Hämta initialt lösenord", link)
            .Paragraph("Lösenordet visas en gång och raderas sedan. Du behöver vara inloggad med ditt SITHS-kort.")
            .To(manager.Email, "Dags att hämta initialt lösenord");
    }

    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", Swedish);

    private static DateTime StockholmTimeOf(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, StockholmTime.Zone).DateTime;
}
