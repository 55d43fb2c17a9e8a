using System.Text.Json;
using Azure.Data.Tables;
using Behorighetsportal.Directory;
using Behorighetsportal.Passwords;
using Behorighetsportal.Storage;

namespace Behorighetsportal.Orders;

/// <summary>The message the AD connector receives for a user service to switch on. <see cref="MessageId"/> is the
/// order id, so the connector can recognise a message it has seen.</summary>
public sealed record ProvisioningMessage(
    string MessageId,
    string Action,
    string HsaId,
    string EngagementId,
    string Level,
    DateOnly ActivationDate,
    string? InitialPasswordSealed);

/// <summary>
/// Switches a user service on for an order (R4) and hands it to the AD connector, once. The user service,
/// an activation marker and (R6) a sealed initial password are written in one transaction in the identity's
/// partition; the queue message goes out after it as a one-time action. A retried activity finds the marker
/// and the completed action, and neither writes nor sends again.
/// </summary>
public sealed class UserServiceActivation(
    StorageAccount storage, DirectoryRepository directory, InitialPasswordVault vault, OneTimeActions once, TimeProvider clock)
{
    private const string MarkerPrefix = "provisioning|";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Activates the order's user service; <paramref name="person"/> is the identity as the caller has just read it,
    /// or null to read it here.
    /// </summary>
    public async Task<ActivationResult> ActivateAsync(Order order, DateTimeOffset at, Person? person = null, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var identities = storage.Table(TableNames.Identities);
        person ??= await directory.GetPersonAsync(order.IdentityId, cancellationToken)
            ?? throw new InvalidOperationException($"Order {order.OrderId}: identity is no longer in the directory.");
        var today = StockholmTime.DateOn(at);
        var notReady = NotReady(person, order, today);
        var (marker, sealedPassword) = notReady is null
            ? await SwitchOnAsync(identities, order, person, today, at, cancellationToken)
            : (await ReadMarkerAsync(order, cancellationToken), null);
        if (marker is null)
        {
            // Not switched on before, and cannot be now.
            return notReady!;
        }

        var needsInitialPassword = marker.GetBoolean("NeedsPassword") ?? false;
        await once.RunOnceAsync(order.OrderId, "provisioning-message", clock.GetUtcNow(), async () =>
        {
            if (needsInitialPassword && sealedPassword is null)
            {
                var row = await identities.GetEntityIfExistsAsync<TableEntity>(order.IdentityId, InitialPasswordVault.RowPrefix + order.EngagementId, cancellationToken: cancellationToken);
                sealedPassword = row.HasValue ? row.Value!.GetString("Sealed") : null;
            }

            var message = new ProvisioningMessage(order.OrderId, "ActivateUserService", order.IdentityId, order.EngagementId, order.Level, order.ActivationDate, sealedPassword);
            await storage.Queue(QueueNames.Provisioning).SendMessageAsync(JsonSerializer.Serialize(message, Json), cancellationToken);
        }, cancellationToken);

        return new ActivationResult(ActivationOutcome.Activated, needsInitialPassword);
    }

    /// <summary>
    /// Writes the user service, its activation marker and (R6) a sealed initial password in one transaction. The
    /// transaction adds the marker, so it fails as a whole when an earlier attempt committed: the marker (and the
    /// password that went with it) is read only then, not before every first attempt.
    /// </summary>
    private async Task<(TableEntity Marker, string? SealedPassword)> SwitchOnAsync(
        TableClient identities, Order order, Person person, DateOnly today, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var engagement = person.FindEngagement(order.EngagementId)!;
        var needsPassword = InitialPasswordRule.IsNeeded(person, engagement, today);
        var service = new UserService(order.IdentityId, order.EngagementId, order.Level, UserServiceStatus.Active, today, null, order.OrderId);
        var marker = new TableEntity(order.IdentityId, MarkerPrefix + order.OrderId) { ["NeedsPassword"] = needsPassword };
        var sealedPassword = needsPassword ? vault.Seal(InitialPasswordVault.Generate()) : null;
        List<TableTransactionAction> batch =
        [
            new(TableTransactionActionType.UpsertReplace, DirectoryRepository.ToEntity(service)),
            new(TableTransactionActionType.UpsertReplace, DirectoryRepository.HasUserServices(order.IdentityId)),
            new(TableTransactionActionType.Add, marker),
        ];
        if (sealedPassword is not null)
        {
            batch.Add(new(TableTransactionActionType.UpsertReplace, InitialPasswordVault.NewRow(
                order.IdentityId, order.EngagementId, order.OrderId, sealedPassword, at)));
        }

        try
        {
            await identities.SubmitTransactionAsync(batch, cancellationToken);
            return (marker, sealedPassword);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // An earlier attempt committed: carry on from its marker; its password is read when it is needed.
            return (await ReadMarkerAsync(order, cancellationToken)
                ?? throw new InvalidOperationException($"Order {order.OrderId}: provisioning marker missing after activation."), null);
        }
    }

    /// <summary>
    /// Why the order's user service cannot be switched on today, or null when it can: the engagement has ended,
    /// or (R4) it has not started yet — KiV may have moved the start after the order was placed.
    /// </summary>
    public static ActivationResult? CheckReady(Person? person, Order order, DateTimeOffset at) =>
        person is null ? new ActivationResult(ActivationOutcome.EngagementEnded, false) : NotReady(person, order, StockholmTime.DateOn(at));

    private static ActivationResult? NotReady(Person person, Order order, DateOnly today)
    {
        var engagement = person.FindEngagement(order.EngagementId);
        if (engagement is null || engagement.HasEndedBy(today))
        {
            return new ActivationResult(ActivationOutcome.EngagementEnded, false);
        }

        return engagement.StartDate > today
            ? new ActivationResult(ActivationOutcome.NotYetStarted, false, StockholmTime.StartOfDayUtc(engagement.StartDate))
            : null;
    }

    /// <summary>
    /// Switches a user service off as of <paramref name="lastDay"/> (a leaver, or a policy that no longer covers it)
    /// and tells the AD connector once per user service and day; the message id says so, for the connector.
    /// </summary>
    public async Task InactivateAsync(UserService service, DateOnly lastDay, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await directory.UpsertUserServiceAsync(service with { Status = UserServiceStatus.Inactivated, EndedOn = lastDay }, cancellationToken);
        var messageId = $"INACTIVATE-{service.EngagementId}-{lastDay:yyyyMMdd}";
        await once.RunOnceAsync(service.EngagementId, messageId, clock.GetUtcNow(), () =>
            storage.Queue(QueueNames.Provisioning).SendMessageAsync(JsonSerializer.Serialize(new ProvisioningMessage(
                messageId, "InactivateUserService", service.HsaId, service.EngagementId, service.Level, lastDay, null), Json), cancellationToken),
            cancellationToken);
    }

    private async Task<TableEntity?> ReadMarkerAsync(Order order, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await storage.Table(TableNames.Identities).GetEntityIfExistsAsync<TableEntity>(
            order.IdentityId, MarkerPrefix + order.OrderId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
