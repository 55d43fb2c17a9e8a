using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Email;
using Behorighetsportal.Orders;
using Behorighetsportal.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Leavers;

public sealed record EngagementEndInput(string HsaId, string EngagementId, DateOnly EndDate, DateTime EndsAtUtc);

/// <summary>
/// A leaver, instance id = <c>END-{engagement}-{last day}</c>: a durable timer to the end of the engagement's last day,
/// then its user service is inactivated, an order in progress for it is cancelled (the orderer is told), and the
/// person's delegations and orderer roles are reconciled. If KiV moves the end date, a new instance is started for
/// the new date and this one finds the date changed and does nothing.
/// </summary>
public sealed class EngagementEndOrchestrator : TaskOrchestrator<EngagementEndInput, bool>
{
    public const string InstancePrefix = "END-";

    public static string InstanceIdFor(string engagementId, DateOnly endDate) => $"{InstancePrefix}{engagementId}-{endDate:yyyyMMdd}";

    public override async Task<bool> RunAsync(TaskOrchestrationContext context, EngagementEndInput input)
    {
        // An engagement whose last day is the calendar's last (stored before dates were checked) never ends: no timer
        // that would wake every few days for ever.
        if (input.EndsAtUtc == DateTime.MaxValue)
        {
            return false;
        }

        // A timer may fire a moment early on Azure Storage; the end must not come before the day is over.
        for (var wait = 0; wait < 3 && context.CurrentUtcDateTime < input.EndsAtUtc; wait++)
        {
            await context.CreateTimer(wait == 0 ? input.EndsAtUtc : input.EndsAtUtc.AddSeconds(1), CancellationToken.None);
        }

        return await context.CallActivityAsync<bool>(nameof(CloseEngagementActivity), input, ActivityRetry.Options);
    }
}

public sealed class CloseEngagementActivity(
    DirectoryRepository directory, OrderRepository orders, PersonReconciler reconciler, AuditLog audit, OrdererNotifier notifier,
    UserServiceActivation userServices, OrchestrationStarter starter, TimeProvider clock, ILogger<CloseEngagementActivity> logger)
    : TaskActivity<EngagementEndInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, EngagementEndInput input)
    {
        var person = await directory.GetPersonAsync(input.HsaId);
        var engagement = person?.FindEngagement(input.EngagementId);
        if (person is null || engagement?.EndDate != input.EndDate)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        if (person.FindUserService(engagement.EngagementId) is { Status: UserServiceStatus.Active } service)
        {
            await userServices.InactivateAsync(service, input.EndDate, now);
        }

        if (await orders.InProgressForAsync(person.Identity.HsaId, engagement.EngagementId) is { } order)
        {
            var (cancelled, recorded) = await orders.CancelAsync(order.OrderId, "KiV");
            if (recorded)
            {
                await audit.AppendAsync(new AuditEntry(order.OrderId, now, "Cancelled", "KiV", "Engagemanget har upphört"));
                await orders.ReleaseClaimAsync(cancelled);
                await DurableSignals.TryRaiseAsync(starter.Client, order.OrderId, OrderEvents.CancelRequested, new DecisionEvent(DecisionOutcome.Rejected, "KiV"), logger, CancellationToken.None);
                await notifier.SendAsync(cancelled, OrderStatus.Cancelled);
            }
        }

        await reconciler.ReconcileAsync(person.Identity.HsaId, input.EndDate.AddDays(1));
        await audit.AppendAsync(new AuditEntry(engagement.EngagementId, now, "EngagementEnded", "KiV", "Sista dag " + DirectoryRepository.Format(input.EndDate)));
        return true;
    }
}
