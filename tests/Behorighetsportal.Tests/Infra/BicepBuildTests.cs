using System.Reflection;
using System.Text.Json;
using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Infra;

/// <summary>
/// infra/main.bicep builds to ARM JSON with the Bicep CLI (linter rules in infra/bicepconfig.json) without an error
/// or a warning, and describes what the Functions app needs: Flex Consumption on .NET 10 isolated with a
/// system-assigned identity, storage without keys, Key Vault references, Application Insights with Entra auth,
/// Communication Services email, and App Service Authentication that lets exactly the function-key routes through.
/// </summary>
public sealed class BicepBuildTests
{
    private static ArmTemplate Template => new(BicepCli.MainTemplate.Json);

    [Fact]
    public void MainBicep_Builds_WithoutErrorsOrWarnings()
    {
        // Act
        var build = BicepCli.MainTemplate;

        // Assert
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Count == 0,
            $"bicep build infra/main.bicep ({build.CliPath}) exited {build.ExitCode} with {build.Errors.Count} error(s), {build.Warnings.Count} warning(s):\n"
            + string.Join('\n', build.Diagnostics));
        using var arm = JsonDocument.Parse(build.Json);
        Assert.Contains("deploymentTemplate.json", arm.RootElement.GetProperty("$schema").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MainBicep_Parameters_AreEnvironmentNameAndLocation()
    {
        // Act
        using var arm = JsonDocument.Parse(BicepCli.MainTemplate.Json);
        var parameters = arm.RootElement.GetProperty("parameters");

        // Assert
        Assert.True(parameters.TryGetProperty("environmentName", out var environment) && !environment.TryGetProperty("defaultValue", out _),
            "environmentName is a required parameter.");
        Assert.Equal("[resourceGroup().location]", parameters.GetProperty("location").GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void FunctionApp_IsFlexConsumption_DotNet10Isolated_WithSystemIdentity()
    {
        // Act
        var plan = Template.One("Microsoft.Web/serverfarms");
        var site = Template.One("Microsoft.Web/sites");
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");

        // Assert
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("SystemAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("SystemAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.True(site.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
    }

    [Fact]
    public void Storage_HasNoKeys_AndTheAppReachesItByIdentity()
    {
        // Act
        var storage = Template.One("Microsoft.Storage/storageAccounts").GetProperty("properties");
        var settings = Template.AppSettings();

        // Assert
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("managedidentity", settings.Literal("AzureWebJobsStorage__credential"));
        Assert.Contains("AzureWebJobsStorage__accountName", settings.Names);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Names); // as a connection string it would need a key
    }

    [Fact]
    public void Secrets_AreKeyVaultReferences_InAnRbacVault()
    {
        // Act
        var vault = Template.One("Microsoft.KeyVault/vaults").GetProperty("properties");
        var settings = Template.AppSettings();

        // Assert
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        foreach (var secret in new[] { "Links__SigningKey", "Links__PreviousSigningKeys", "Email__Password", "Integration__KivKey", "Integration__MarknadsplatsenKey" })
        {
            var value = Assert.IsType<ArmExpression.Call>(settings.Values[secret]);
            var format = Assert.IsType<ArmExpression.Text>(value.Arguments[0]);
            Assert.StartsWith("@Microsoft.KeyVault(SecretUri=", format.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RoleAssignments_AreBuiltInLeastPrivilegeRoles_OrTheSmtpSendRole()
    {
        // Arrange: the roles the app's identity needs, and nothing broader (no Owner, Contributor, Storage Account Contributor…).
        string[] allowed =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner (Functions host)
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
            "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
        ];

        // Act: built-in roles are named in the template's variable "roles"; the custom SMTP role is a resource.
        var assignments = Template.Resources("Microsoft.Authorization/roleAssignments");
        var custom = Template.One("Microsoft.Authorization/roleDefinitions").GetProperty("properties");
        using var arm = JsonDocument.Parse(BicepCli.MainTemplate.Json);
        var roles = arm.RootElement.GetProperty("variables").GetProperty("roles").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        // Assert
        Assert.NotEmpty(assignments);
        Assert.All(roles.Values, id => Assert.Contains(id, allowed));
        Assert.All(assignments, a =>
        {
            var role = a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
            var builtIn = System.Text.RegularExpressions.Regex.Matches(role, @"variables\('roles'\)\.(\w+)").Select(m => m.Groups[1].Value).ToList();
            Assert.True(builtIn.Count > 0 ? builtIn.All(roles.ContainsKey) : role.StartsWith("[resourceId('Microsoft.Authorization/roleDefinitions'", StringComparison.Ordinal),
                "A role assignment names a role that is neither in the least-privilege list nor the SMTP send role: " + role);
        });
        var actions = custom.GetProperty("permissions")[0].GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.All(actions, a => Assert.StartsWith("Microsoft.Communication/", a, StringComparison.Ordinal));
        Assert.DoesNotContain("*", string.Join(' ', actions), StringComparison.Ordinal);
    }

    [Fact]
    public void Monitoring_IsWorkspaceBasedApplicationInsights_WithEntraAuth()
    {
        // Act
        var insights = Template.One("Microsoft.Insights/components").GetProperty("properties");
        var settings = Template.AppSettings();

        // Assert
        Assert.Single(Template.Resources("Microsoft.OperationalInsights/workspaces"));
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.True(insights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Equal("Authorization=AAD", settings.Literal("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", settings.Names);
    }

    [Fact]
    public void Email_IsCommunicationServicesSmtpRelay_WithStartTls()
    {
        // Act
        var settings = Template.AppSettings();
        var communication = Template.One("Microsoft.Communication/communicationServices").GetProperty("properties");

        // Assert
        Assert.Single(Template.Resources("Microsoft.Communication/emailServices"));
        Assert.Single(Template.Resources("Microsoft.Communication/emailServices/domains"));
        Assert.Contains("Microsoft.Communication/emailServices/domains", communication.GetProperty("linkedDomains")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("smtp.azurecomm.net", settings.Literal("Email__SmtpHost"));
        Assert.Equal("587", settings.Literal("Email__SmtpPort"));
        Assert.Equal("true", settings.Literal("Email__UseStartTls"));
        Assert.Equal("false", settings.Literal("Demo__Seed"));
    }

    [Fact]
    public void Authentication_RequiresSignIn_ExceptHealthAndEveryFunctionKeyRoute()
    {
        // Arrange: the Functions app's HTTP triggers, from the functions.metadata its build generates.
        var triggers = FunctionsMetadata.HttpTriggers();

        // Act
        var auth = Template.SiteConfig("authsettingsV2").GetProperty("properties");
        var validation = auth.GetProperty("globalValidation");
        var excluded = validation.GetProperty("excludedPaths").EnumerateArray().Select(p => p.GetString()!).ToList();

        // Assert
        Assert.True(auth.GetProperty("platform").GetProperty("enabled").GetBoolean());
        Assert.True(validation.GetProperty("requireAuthentication").GetBoolean());
        Assert.True(auth.GetProperty("identityProviders").GetProperty("azureActiveDirectory").GetProperty("enabled").GetBoolean());
        Assert.NotEmpty(triggers);
        foreach (var (route, authLevel) in triggers)
        {
            var path = "/" + route.TrimStart('/');
            var passes = excluded.Any(e => e.EndsWith("/*", StringComparison.Ordinal) ? path.StartsWith(e[..^1], StringComparison.OrdinalIgnoreCase) : string.Equals(e, path, StringComparison.OrdinalIgnoreCase));
            if (authLevel.Equals("function", StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(passes, $"{path} is checked with a function key, so App Service Authentication must let it through (excludedPaths).");
            }
            else if (path != "/api/health")
            {
                Assert.False(passes, $"{path} is for people, so it must require sign-in; it is in excludedPaths.");
            }
        }
    }
}

/// <summary>The HTTP triggers of the Functions app (route, authLevel), from the functions.metadata of its build.</summary>
internal static class FunctionsMetadata
{
    public static IReadOnlyList<(string Route, string AuthLevel)> HttpTriggers()
    {
        var configuration = typeof(FunctionsMetadata).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var bin = Path.Combine(RepositoryRoot.Find(), "functions", "bin", configuration);
        var path = System.IO.Directory.Exists(bin)
            ? System.IO.Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).MaxBy(File.GetLastWriteTimeUtc)
            : null;
        Assert.True(path is not null, $"No functions.metadata under {bin}: build functions/ first (the test project references it, so building the tests does).");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => string.Equals(b.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase))
            .Select(b => (b.GetProperty("route").GetString() ?? "", b.GetProperty("authLevel").GetString() ?? ""))
            .ToList();
    }
}
