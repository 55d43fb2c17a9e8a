using Microsoft.Extensions.Logging;

namespace Behorighetsportal.Orders;

/// <summary>What an operator reads about an order: ids and steps, never names, tokens or passwords.</summary>
internal static partial class OrderLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Order {OrderId} placed by {OrdererId}; approval required: {RequiresApproval}")]
    public static partial void Placed(ILogger logger, string orderId, string ordererId, bool requiresApproval);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Order {OrderId}: approval email sent (reminder: {Reminder})")]
    public static partial void ApprovalRequested(ILogger logger, string orderId, bool reminder);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Order {OrderId}: step {Step}, status {Status}")]
    public static partial void StepRecorded(ILogger logger, string orderId, string step, OrderStatus status);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Order {OrderId}: orderer told of {Outcome}")]
    public static partial void OrdererNotified(ILogger logger, string orderId, OrderStatus outcome);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Order {OrderId}: activation {Outcome}; initial password needed: {NeedsPassword}")]
    public static partial void Activated(ILogger logger, string orderId, ActivationOutcome outcome, bool needsPassword);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Order {OrderId}: initial-password email sent")]
    public static partial void PasswordNoticeSent(ILogger logger, string orderId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Order {OrderId}: the engagement has no manager in KiV; no initial-password email was sent")]
    public static partial void NoManagerForPassword(ILogger logger, string orderId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Order {OrderId}: {Kind} decided {Outcome} by {Actor}")]
    public static partial void Decided(ILogger logger, string orderId, DecisionKind kind, DecisionOutcome outcome, string actor);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Order {OrderId} cancelled by {Actor}")]
    public static partial void Cancelled(ILogger logger, string orderId, string actor);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Order {OrderId}: the orchestration could not be started; the order is marked Failed")]
    public static partial void StartFailed(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Order {OrderId}: initial password shown to {Actor}")]
    public static partial void PasswordShown(ILogger logger, string orderId, string actor);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Order {OrderId} was not activated: {Outcome}")]
    public static partial void NotActivated(ILogger logger, string orderId, ActivationOutcome outcome);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "Order {OrderId}: lifecycle completed, user service active")]
    public static partial void LifecycleCompleted(ILogger logger, string orderId);
}
