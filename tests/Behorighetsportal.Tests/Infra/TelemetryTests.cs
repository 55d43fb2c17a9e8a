using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Behorighetsportal.Email;
using Behorighetsportal.Orders;
using Behorighetsportal.Telemetry;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace Behorighetsportal.Tests.Infra;

/// <summary>
/// The portal's counters and spans fire where the events happen, each with the order id, on the devhost's real
/// routes and engine. Other tests run at the same time and use the same meter, so each test looks only at the
/// measurements of its own order.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private const string FredrikEmail = "fredrik.falk@example.vgregion.se";
    private readonly SmtpInbox _inbox = new();
    private readonly MeterRecorder _meter = new();
    private readonly SpanRecorder _spans = new();

    public void Dispose()
    {
        _spans.Dispose();
        _meter.Dispose();
        _inbox.Dispose();
    }

    [Fact]
    public async Task OrderApprovedAttestedActivated_CountsStartedApprovedActivatedAndEmails_WithOrderId()
    {
        // Arrange
        await using var app = new PortalApp(_inbox);
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        var email = await OrderFlow.ApprovalEmailAsync(app, FredrikEmail, orderId);

        // Act
        await OrderFlow.DecideAsync(app, Demo.Fredrik, email.Link("http://localhost/api/approvals/"), "approve");
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.PendingAttestation);
        await OrderFlow.AttestAsync(app, orderId);
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Active);
        await app.Durable.WaitForInstanceCompletionAsync(orderId);

        // Assert
        Assert.Equal(1, _meter.Count("orders.started", orderId));
        Assert.Equal(1, _meter.Count("orders.approved", orderId));
        Assert.Equal(1, _meter.Count("orders.activated", orderId));
        Assert.Equal(0, _meter.Count("orders.expired", orderId));
        Assert.True(_meter.Count("email.sent", orderId) >= 2, "The approval request and the password notice are counted as sent, with the order id.");
        Assert.Equal(0, _meter.Count("email.failed", orderId));
        Assert.Contains(_spans.For(orderId), s => s.DisplayName == "order started");
        Assert.Contains(_spans.For(orderId), s => s.DisplayName == "email send" && s.Status == ActivityStatusCode.Ok);
    }

    [Fact]
    public async Task OrderNotApprovedInTime_CountsExpired_WithOrderId()
    {
        // Arrange
        await using var app = new PortalApp(_inbox, new Dictionary<string, string?>
        {
            ["Workflow:ApprovalReminderAfter"] = "00:10:00",
            ["Workflow:ApprovalExpiresAfter"] = "00:00:03",
        });

        // Act
        var orderId = await OrderFlow.PlaceAsync(app, Demo.Eva, Demo.Hugo, Demo.HugoEngagement);
        await OrderFlow.WaitForStatusAsync(app, Demo.Eva, orderId, OrderStatus.Expired);
        // The status is stored a moment before the step's activity counts it; the orchestration ends after.
        await app.Durable.WaitForInstanceCompletionAsync(orderId);

        // Assert
        Assert.Equal(1, _meter.Count("orders.started", orderId));
        Assert.Equal(1, _meter.Count("orders.expired", orderId));
        Assert.Equal(0, _meter.Count("orders.approved", orderId));
        Assert.Equal(0, _meter.Count("orders.activated", orderId));
    }

    [Fact]
    public async Task EmailRelayDown_CountsFailed_WithOrderId_AndRethrows()
    {
        // Arrange: a loopback port nothing listens on.
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = ClosedPort() }), NullLogger<SmtpEmailSender>.Instance);
        var orderId = "ORD-" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

        // Act
        Exception? thrown;
        using (PortalTelemetry.BeginSubject(orderId))
        {
            thrown = await Record.ExceptionAsync(() => sender.SendAsync(new EmailMessage("eva.ek@example.vgregion.se", "Ämne", "Text", "<p>Text</p>")));
        }

        // Assert
        Assert.NotNull(thrown);
        Assert.Equal(1, _meter.Count("email.failed", orderId));
        Assert.Equal(0, _meter.Count("email.sent", orderId));
        Assert.Contains(_spans.For(orderId), s => s.DisplayName == "email send" && s.Status == ActivityStatusCode.Error);
    }

    [Fact]
    public void Subject_OfADelegation_IsTaggedAsDelegation()
    {
        // Act
        using var scope = PortalTelemetry.BeginSubject("DEL-0123456789ABCDEF");
        using var span = PortalTelemetry.StartEmail();

        // Assert
        Assert.Equal("DEL-0123456789ABCDEF", span?.GetTagItem(PortalTelemetry.DelegationIdAttribute));
        Assert.Null(span?.GetTagItem(PortalTelemetry.OrderIdAttribute));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1/", "Authorization=AAD", null)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1/", null, null)]
    [InlineData(null, null, "http://127.0.0.1:4317")]
    public void AddPortalTelemetry_BuildsProviders_ForEachExporterChoice(string? appInsights, string? authentication, string? otlp)
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [PortalTelemetryServices.AppInsightsConnectionStringKey] = appInsights,
            [PortalTelemetryServices.AppInsightsAuthenticationKey] = authentication,
            [PortalTelemetryServices.OtlpEndpointKey] = otlp,
            [PortalTelemetryServices.ConsoleKey] = "true",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();

        // Act
        services.AddPortalTelemetry(configuration);
        using var provider = services.BuildServiceProvider();

        // Assert
        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("Authorization=AAD", true)]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", true)]
    [InlineData("Authorization=Other", false)]
    public void AppInsightsCredential_IsManagedIdentity_OnlyForAad(string? authentication, bool expected)
    {
        // Act
        var credential = PortalTelemetryServices.AppInsightsCredential(authentication);

        // Assert
        Assert.Equal(expected, credential is Azure.Identity.ManagedIdentityCredential);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every measurement of the portal's meter while the test runs: instrument, value and order id.</summary>
    private sealed class MeterRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, long Value, string? OrderId)> _measurements = new();

        public MeterRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PortalTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? orderId = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == PortalTelemetry.OrderIdAttribute)
                    {
                        orderId = tag.Value as string;
                    }
                }

                _measurements.Enqueue((instrument.Name, value, orderId));
            });
            _listener.Start();
        }

        public long Count(string instrument, string orderId) =>
            _measurements.Where(m => m.Instrument == instrument && m.OrderId == orderId).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Every span of the portal's activity source while the test runs.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _spans = new();

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == PortalTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> For(string orderId) =>
            _spans.Where(s => s.GetTagItem(PortalTelemetry.OrderIdAttribute) as string == orderId).ToList();

        public void Dispose() => _listener.Dispose();
    }
}
