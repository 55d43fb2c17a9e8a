using Behorighetsportal.Audit;
using Behorighetsportal.Directory;
using Behorighetsportal.Email;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.Storage;
using Behorighetsportal.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Orders;

/// <summary>
/// The end of an order's life, shared by the order's own workflow and by policy orders activated many at a time
/// (Policies.ActivatePolicyOrdersActivity): switching the user service on (R4) and telling the manager it is time to
/// fetch the initial password (R6). Both are safe to repeat: activities run at least once.
/// </summary>
public sealed class OrderActivation(OrderRepository orders, UserServiceActivation userServices, ILogger<OrderActivation> logger)
{
    /// <summary>
    /// The order becomes Active — with "Activated" in its history — before the user service does, in one conditional
    /// write: from then on a cancellation is refused, so an active account never belongs to a cancelled order.
    /// <paramref name="person"/> is the person as the caller has just read it.
    /// </summary>
    public async Task<ActivationResult> ActivateAsync(Order order, Person? person, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (order.Status != OrderStatus.Active)
        {
            if (UserServiceActivation.CheckReady(person, order, at) is { } notReady)
            {
                return notReady;
            }

            bool moved;
            (order, moved) = await orders.MoveToAsync(order, OrderStatus.Active, new AuditEntry(order.OrderId, at, "Activated", OrderStep.System), cancellationToken);
            if (order.Status != OrderStatus.Active)
            {
                return new ActivationResult(ActivationOutcome.Cancelled, false);
            }

            if (moved)
            {
                OrderLog.StepRecorded(logger, order.OrderId, "Activated", OrderStatus.Active);
                PortalTelemetry.OrderStepRecorded(order.OrderId, OrderStatus.Active);
            }
        }

        // The engagement's claim is left as it is: it names an order that is now final, so the next order for the
        // engagement takes it over (OrderRepository.PlaceAsync) — cheaper than freeing it on every activation.
        var result = await userServices.ActivateAsync(order, at, person, cancellationToken);
        OrderLog.Activated(logger, order.OrderId, result.Outcome, result.NeedsInitialPassword);
        return result;
    }
}

/// <summary>
/// Who holds a manager's role today and gets the manager's emails: the manager and active delegates (R8), each the
/// reader (R10) of what the email says about the manager's reports.
/// </summary>
public sealed record ManagerRoleHolder(Identity Recipient, bool AsDelegate, Reader Reader);

/// <summary>
/// R6: tells the line manager — and active delegates (R8) — that it is time to fetch the initial password, each with a
/// signed link of their own, once per order and recipient.
/// </summary>
public sealed class InitialPasswordNotice(
    DirectoryRepository directory, CallerResolver callers, AuditLog audit, IEmailSender email, OneTimeActions once,
    LinkSigner links, IOptions<PortalOptions> portal, TimeProvider clock, ILogger<InitialPasswordNotice> logger)
{
    /// <summary>How long the manager has to fetch the password before asking support for a new one.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(30);

    /// <summary>The holders of a manager's role today, with their identities (unknown ones left out).</summary>
    public async Task<IReadOnlyList<ManagerRoleHolder>> HoldersAsync(string managerId, CancellationToken cancellationToken = default)
    {
        List<ManagerRoleHolder> holders = [];
        var today = StockholmTime.Today(clock);
        foreach (var (holderId, asDelegate) in await callers.ManagerRoleHoldersAsync(managerId, cancellationToken))
        {
            if (await directory.GetIdentityAsync(holderId, cancellationToken) is { } recipient)
            {
                holders.Add(new ManagerRoleHolder(recipient, asDelegate, Reader.HolderOf(holderId, managerId, asDelegate, today)));
            }
        }

        return holders;
    }

    /// <summary>
    /// Sends the notice for an activated order; false when nothing went out now (no manager, or sent before).
    /// <paramref name="holders"/> reads the holders of a manager's role — a batch passes one that remembers them.
    /// </summary>
    public async Task<bool> SendAsync(
        Order order, Person person, DateTimeOffset at, Func<string, Task<IReadOnlyList<ManagerRoleHolder>>>? holders = null, CancellationToken cancellationToken = default)
    {
        var managerId = person.FindEngagement(order.EngagementId)?.ManagerHsaId;
        if (managerId is null)
        {
            OrderLog.NoManagerForPassword(logger, order.OrderId);
            return false;
        }

        var sent = false;
        foreach (var (recipient, asDelegate, reader) in await (holders ?? (id => HoldersAsync(id, cancellationToken)))(managerId))
        {
            sent |= await once.RunOnceAsync(order.OrderId, "password-notice|" + recipient.HsaId, clock.GetUtcNow(), async () =>
            {
                var token = links.Sign(new LinkToken(LinkPurpose.InitialPassword, order.OrderId, recipient.HsaId, at + LinkLifetime));
                await email.SendAsync(OrderEmails.InitialPasswordNotice(recipient, PersonNames.Of(reader, person), order, portal.Value.Link("/api/passwords/" + token)), cancellationToken);
                // The time of sending, not the activation instant: the audit row key is time and step, so one
                // instant for every holder of the role would keep only the first recipient's entry.
                await audit.AppendAsync(new AuditEntry(order.OrderId, clock.GetUtcNow(), "InitialPasswordNoticeSent", OrderStep.System,
                    "Till " + recipient.HsaId + (asDelegate ? " som delegat för " + managerId : "")), cancellationToken);
            }, cancellationToken);
        }

        OrderLog.PasswordNoticeSent(logger, order.OrderId);
        return sent;
    }
}
