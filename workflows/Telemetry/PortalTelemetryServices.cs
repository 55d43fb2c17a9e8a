using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Behorighetsportal.Telemetry;

/// <summary>
/// OpenTelemetry for both hosts (Functions app and devhost), one call each. Exporters follow the settings:
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> → Application Insights (Azure Monitor; with
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> = <c>Authorization=AAD</c> it signs in with the managed
/// identity, as the Functions host does), <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> → an OTLP collector (the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> settings apply), <c>Telemetry:Console</c> = true → the console. None set: traces and
/// metrics are collected but go nowhere.
/// </summary>
public static class PortalTelemetryServices
{
    public const string AppInsightsConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AppInsightsAuthenticationKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ConsoleKey = "Telemetry:Console";

    /// <summary>Every setting this class reads, for the check that infra/ sets what the code reads.</summary>
    public static readonly IReadOnlyList<string> SettingKeys = [AppInsightsConnectionStringKey, AppInsightsAuthenticationKey, OtlpEndpointKey, ConsoleKey];

    public static OpenTelemetryBuilder AddPortalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var appInsights = configuration[AppInsightsConnectionStringKey];
        var credential = AppInsightsCredential(configuration[AppInsightsAuthenticationKey]);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        var console = configuration.GetValue(ConsoleKey, defaultValue: false);

        return services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(PortalTelemetry.Name))
            .WithTracing(tracing =>
            {
                tracing.AddSource(PortalTelemetry.Name, "Microsoft.AspNetCore", "Microsoft.DurableTask*");
                if (!string.IsNullOrWhiteSpace(appInsights))
                {
                    tracing.AddAzureMonitorTraceExporter(o => o.ConnectionString = appInsights, credential);
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }

                if (console)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PortalTelemetry.Name, "Microsoft.AspNetCore.Hosting");
                if (!string.IsNullOrWhiteSpace(appInsights))
                {
                    metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = appInsights, credential);
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }

                if (console)
                {
                    metrics.AddConsoleExporter();
                }
            });
    }

    /// <summary>
    /// <c>Authorization=AAD</c> (local authentication off on the Application Insights resource): the managed
    /// identity, system-assigned or the one named by <c>ClientId=…</c>. Otherwise none: the connection string's key.
    /// </summary>
    internal static TokenCredential? AppInsightsCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new ManagedIdentityCredential(parts.TryGetValue("ClientId", out var clientId)
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned);
    }
}
