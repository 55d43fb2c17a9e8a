using Behorighetsportal.Directory;

namespace Behorighetsportal.Passwords;

/// <summary>
/// R6: at activation, the line manager fetches an initial password only when the person has no valid earlier
/// password. A password holds as long as some user service of theirs was never ended or inactivated — even
/// one of an engagement that has ended (demo: Karin). No email for an engagement that has ended.
/// </summary>
public static class InitialPasswordRule
{
    public static bool IsNeeded(Person person, Engagement engagement, DateOnly today) =>
        !engagement.HasEndedBy(today)
        && !person.UserServices.Any(service => service.Status == UserServiceStatus.Active);
}
