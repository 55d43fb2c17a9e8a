using System.Reflection;
using System.Text.RegularExpressions;
using Behorighetsportal.Storage;
using Behorighetsportal.Telemetry;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Behorighetsportal.Tests.Infra;

/// <summary>
/// The settings the code reads and the settings infra/main.bicep sets are the same list, so neither drifts: a new
/// option in the code fails here until Bicep sets it, and a setting in Bicep that nothing reads fails too.
/// What the code reads is derived, not listed: every options class <see cref="PortalServices.AddBehorighetsportal"/>
/// binds (its <c>SectionName</c> and public settable properties), the storage connection, the telemetry settings,
/// and the keys of docs/API.md's settings table.
/// </summary>
public sealed partial class AppSettingsParityTests
{
    /// <summary>
    /// Read by the code but deliberately not set in Azure, with the reason. Everything else the code reads must be set.
    /// </summary>
    private static readonly Dictionary<string, string> NotSetInAzure = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Storage__NamePrefix"] = "tests only: lets tests share one Azurite; empty in Azure",
        ["Storage__ConnectionString"] = "filled from AzureWebJobsStorage, never set under Storage:",
        ["AzureWebJobsStorage"] = "a connection string needs an account key; Azure uses the identity form AzureWebJobsStorage__accountName",
        ["AzureWebJobsStorage__clientId"] = "only for a user-assigned identity; the app uses its system-assigned one",
        ["AzureWebJobsStorage__tableServiceUri"] = "derived from the account name in the public cloud",
        ["AzureWebJobsStorage__queueServiceUri"] = "derived from the account name in the public cloud",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "local telemetry to an OTLP collector; Azure sends to Application Insights",
        ["Telemetry__Console"] = "local telemetry to the console",
    };

    /// <summary>Set in Bicep for the platform (Functions host, App Service) rather than read by the code. Empty today.</summary>
    private static readonly HashSet<string> PlatformOnly = new(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void EverySettingTheCodeReads_IsSetByBicep()
    {
        // Arrange
        var bicep = new ArmTemplate(BicepCli.MainTemplate.Json).AppSettings();
        var (names, prefixes) = (bicep.Names, bicep.Prefixes);
        var read = SettingsTheCodeReads();

        // Act
        var missing = read.Settings.Where(s => !NotSetInAzure.ContainsKey(s) && !names.Contains(s)).Order().ToList();
        var missingMaps = read.MapPrefixes.Where(p => !prefixes.Contains(p) && !names.Any(n => n.StartsWith(p, StringComparison.OrdinalIgnoreCase))).Order().ToList();

        // Assert
        Assert.True(missing.Count == 0 && missingMaps.Count == 0,
            "infra/main.bicep (resource appSettings) does not set: " + string.Join(", ", missing.Concat(missingMaps.Select(p => p + "*")))
            + ". Set them there, or list them in NotSetInAzure with the reason.");
    }

    [Fact]
    public void EverySettingBicepSets_IsReadByTheCode()
    {
        // Arrange
        var bicep = new ArmTemplate(BicepCli.MainTemplate.Json).AppSettings();
        var (names, prefixes) = (bicep.Names, bicep.Prefixes);
        var read = SettingsTheCodeReads();
        var known = new HashSet<string>(read.Settings.Concat(NotSetInAzure.Keys).Concat(PlatformOnly), StringComparer.OrdinalIgnoreCase);

        // Act
        var unread = names.Where(n => !known.Contains(n) && !read.MapPrefixes.Any(p => n.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .Concat(prefixes.Where(p => !read.MapPrefixes.Contains(p)).Select(p => p + "*"))
            .Order().ToList();

        // Assert
        Assert.True(unread.Count == 0,
            "infra/main.bicep sets settings nothing reads: " + string.Join(", ", unread)
            + ". Remove them, or add them to PlatformOnly when the platform reads them.");
    }

    [Fact]
    public void EverySettingOfApiMd_IsSetByBicep()
    {
        // Arrange: the keys in the first column of docs/API.md's settings table.
        var apiMd = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "docs", "API.md"));
        var table = apiMd[apiMd.IndexOf("## Settings", StringComparison.Ordinal)..];
        var documented = table.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => BacktickedKey().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal)))
            .ToList();
        var names = new ArmTemplate(BicepCli.MainTemplate.Json).AppSettings().Names;

        // Act: AzureWebJobsStorage is set in its identity form.
        var missing = documented
            .Where(key => !names.Contains(key) && !(key == StorageOptions.ConnectionStringKey && names.Contains(StorageOptions.ConnectionStringKey + "__accountName")))
            .ToList();

        // Assert
        Assert.Contains("Links__SigningKey", documented);
        Assert.True(missing.Count == 0, "docs/API.md documents settings infra/main.bicep does not set: " + string.Join(", ", missing));
    }

    [Fact]
    public void SettingsTheCodeReads_CoverEveryOptionsClassBound()
    {
        // Act
        var read = SettingsTheCodeReads();

        // Assert: the derivation found the options classes it should (guards the reflection itself).
        Assert.Contains("Email__SmtpHost", read.Settings);
        Assert.Contains("Email__Password", read.Settings);
        Assert.Contains("Links__SigningKey", read.Settings);
        Assert.Contains("Workflow__AttestationExpiresAfter", read.Settings);
        Assert.Contains("Delegations__MaxPeriodDays", read.Settings);
        Assert.Contains("AzureWebJobsStorage__accountName", read.Settings);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", read.Settings);
        Assert.Contains("Demo__Seed", read.Settings);
    }

    /// <summary>Every setting the product and its hosts read, as environment variable names (<c>__</c> for <c>:</c>).</summary>
    internal static (IReadOnlySet<string> Settings, IReadOnlySet<string> MapPrefixes) SettingsTheCodeReads()
    {
        var settings = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var maps = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        // The options classes AddBehorighetsportal binds: every IConfigureOptions<T> it registers for a product type.
        var services = new ServiceCollection();
        services.AddBehorighetsportal(new ConfigurationBuilder().Build());
        var optionTypes = services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Assembly == typeof(PortalServices).Assembly)
            .Distinct()
            .ToList();
        Assert.Contains(typeof(StorageOptions), optionTypes);
        foreach (var type in optionTypes)
        {
            // StorageOptions has no section of its own for the connection: it reads AzureWebJobsStorage (below),
            // and binds Storage: for the rest.
            var section = type == typeof(StorageOptions)
                ? "Storage"
                : type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                    ?? throw new InvalidOperationException($"{type.Name} is bound by AddBehorighetsportal but has no public const SectionName; the Infra tests derive setting names from it.");
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetSetMethod() is not null))
            {
                var name = section + "__" + property.Name;
                if (IsMap(property.PropertyType))
                {
                    maps.Add(name + "__");
                }
                else if (IsScalar(property.PropertyType))
                {
                    settings.Add(name);
                }
                else
                {
                    throw new InvalidOperationException($"{type.Name}.{property.Name} ({property.PropertyType.Name}) is neither a value nor a string map; teach SettingsTheCodeReads its setting names.");
                }
            }
        }

        // The storage connection (StorageOptions.ReadConnection): a connection string, or the identity form.
        settings.Add(StorageOptions.ConnectionStringKey);
        foreach (var part in new[] { "accountName", "credential", "clientId", "tableServiceUri", "queueServiceUri" })
        {
            settings.Add(StorageOptions.ConnectionStringKey + "__" + part);
        }

        // Telemetry (PortalTelemetryServices) and the devhost's demo seed (docs/API.md).
        settings.UnionWith(PortalTelemetryServices.SettingKeys.Select(k => k.Replace(":", "__", StringComparison.Ordinal)));
        settings.Add("Demo__Seed");
        return (settings, maps);
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(TimeSpan) || t == typeof(decimal) || t == typeof(Uri)
            || t == typeof(DateTimeOffset) || t == typeof(DateOnly) || t == typeof(TimeOnly);
    }

    private static bool IsMap(Type type) =>
        type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string));

    [GeneratedRegex("`([A-Za-z_][A-Za-z0-9_:]*)`")]
    private static partial Regex BacktickedKey();
}
