using System.Diagnostics;
using System.Diagnostics.Metrics;
using Behorighetsportal.Orders;

namespace Behorighetsportal.Telemetry;

/// <summary>
/// The portal's own traces and metrics, one <see cref="ActivitySource"/> and one <see cref="Meter"/> named
/// <see cref="Name"/>: orders started, approved, activated and expired, emails sent and failed, each with the id
/// of the order (<c>order.id</c>) as an attribute. The product calls one method where each event happens; which
/// exporter receives them is the host's choice (<see cref="PortalTelemetryServices.AddPortalTelemetry"/>).
/// </summary>
public static class PortalTelemetry
{
    public const string Name = "Behorighetsportal";
    public const string OrderIdAttribute = "order.id";
    public const string DelegationIdAttribute = "delegation.id";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> OrdersStarted = Meter.CreateCounter<long>("orders.started", "{order}", "Orders placed and their workflow started.");
    private static readonly Counter<long> OrdersApproved = Meter.CreateCounter<long>("orders.approved", "{order}", "Orders approved by the line manager or a delegate.");
    private static readonly Counter<long> OrdersActivated = Meter.CreateCounter<long>("orders.activated", "{order}", "Orders whose user service became active.");
    private static readonly Counter<long> OrdersExpired = Meter.CreateCounter<long>("orders.expired", "{order}", "Orders that expired waiting for approval or attestation.");
    private static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("email.sent", "{email}", "Emails handed to the SMTP relay.");
    private static readonly Counter<long> EmailsFailed = Meter.CreateCounter<long>("email.failed", "{email}", "Emails the SMTP relay did not take (the activity is retried).");

    private static readonly AsyncLocal<string?> CurrentSubject = new();

    /// <summary>POST /api/orders: the order is stored and its orchestration scheduled.</summary>
    public static void OrderStarted(string orderId) => Record(OrdersStarted, "order started", orderId);

    /// <summary>An approval decision was stored; counts approvals, not rejections.</summary>
    public static void ApprovalRecorded(string orderId, DecisionOutcome outcome)
    {
        if (outcome == DecisionOutcome.Approved)
        {
            Record(OrdersApproved, "order approved", orderId);
        }
    }

    /// <summary>A lifecycle step was recorded; counts the steps to Active and to Expired.</summary>
    public static void OrderStepRecorded(string orderId, OrderStatus status)
    {
        switch (status)
        {
            case OrderStatus.Active:
                Record(OrdersActivated, "order activated", orderId);
                break;
            case OrderStatus.Expired:
                Record(OrdersExpired, "order expired", orderId);
                break;
        }
    }

    /// <summary>
    /// Names the order (or delegation) the side effects within the returned scope are done for, so an email sent
    /// there carries its id. Set around each one-time action, whose subject is that id.
    /// </summary>
    public static SubjectScope BeginSubject(string subjectId)
    {
        var previous = CurrentSubject.Value;
        CurrentSubject.Value = subjectId;
        return new SubjectScope(previous);
    }

    /// <summary>Starts the span of one email; null when nobody listens.</summary>
    public static Activity? StartEmail()
    {
        var activity = Source.StartActivity("email send", ActivityKind.Client);
        if (activity is not null && SubjectTag() is { } tag)
        {
            activity.SetTag(tag.Key, tag.Value);
        }

        return activity;
    }

    public static void EmailSent(Activity? activity)
    {
        activity?.SetStatus(ActivityStatusCode.Ok);
        Add(EmailsSent);
    }

    /// <summary>Counts a failed email and marks its span.</summary>
    public static void EmailFailed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity?.SetTag("error.type", exception.GetType().FullName);
        Add(EmailsFailed, new KeyValuePair<string, object?>("error.type", exception.GetType().Name));
    }

    private static void Record(Counter<long> counter, string eventName, string orderId)
    {
        var tag = new KeyValuePair<string, object?>(OrderIdAttribute, orderId);
        counter.Add(1, tag);

        // The request or activity span that led here gets the order id too, so a trace can be found by order.
        Activity.Current?.SetTag(OrderIdAttribute, orderId);
        using var span = Source.StartActivity(eventName, ActivityKind.Internal, default(ActivityContext), [tag]);
    }

    private static void Add(Counter<long> counter, KeyValuePair<string, object?>? extra = null)
    {
        var tags = new TagList();
        if (SubjectTag() is { } subject)
        {
            tags.Add(subject);
        }

        if (extra is { } more)
        {
            tags.Add(more);
        }

        counter.Add(1, tags);
    }

    /// <summary>Orders, orderer-role orders and AMU applications carry <c>order.id</c>; delegations (DEL-…) <c>delegation.id</c>.</summary>
    private static KeyValuePair<string, object?>? SubjectTag() => CurrentSubject.Value switch
    {
        null => null,
        { } id when id.StartsWith(Delegations.Delegation.IdPrefix, StringComparison.Ordinal) => new(DelegationIdAttribute, id),
        { } id => new(OrderIdAttribute, id),
    };

    /// <summary>Restores the subject that was current before <see cref="BeginSubject"/>.</summary>
    public readonly struct SubjectScope(string? previous) : IDisposable
    {
        public void Dispose() => CurrentSubject.Value = previous;
    }
}
