using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Orders;

namespace Behorighetsportal.Delegations;

public static class DelegationEmails
{
    /// <summary>
    /// To the delegate when the delegation starts: what they may do, for whom, until when (R8, R13); the manager named as
    /// the delegate may see them (R10).
    /// </summary>
    public static EmailMessage Started(Identity deputy, PersonName manager, Delegation delegation) =>
        new EmailTemplate(deputy.GivenName)
            .Paragraph($"{PersonName.Sentence(manager.Name)} har delegerat chefsrollen i VGR behörighetsportal till dig från och med {OrderEmails.Date(delegation.ValidFrom)} till och med {OrderEmails.Date(delegation.ValidTo)}.")
            .Paragraph(
                $"Under perioden kan du, för de medarbetare som har {manager.Name} som närmaste chef:\n" +
                "– beställa och ändra användartjänster, utan att beställningen behöver godkännas av chef (utom för dig själv)\n" +
                "– godkänna beställningar av användartjänst och av användarrollen beställare (SDA-roll), utom dina egna\n" +
                "– hämta initialt lösenord för användartjänst; du får e-post när det är dags\n" +
                "– se skyddade identiteter")
            .Paragraph("Ekonomisk attest ingår inte i delegeringen; den görs i Marknadsplatsen.")
            .Paragraph("Delegeringen syns under Tilldelade behörigheter i din profil som resursen Chef. Den upphör av sig själv efter sista dagen, eller tidigare om chefen återkallar den.")
            .To(deputy.Email, "Chefsrollen har delegerats till dig");
}
