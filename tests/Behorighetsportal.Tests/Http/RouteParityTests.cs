using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Behorighetsportal.Http;
using Behorighetsportal.Orders;
using Behorighetsportal.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Behorighetsportal.Tests.Http;

/// <summary>
/// The devhost and the Functions app serve exactly the routes of <see cref="PortalRoutes.All"/> (API.md), and
/// the Functions app declares the orchestrator and every activity the devhost's engine runs.
/// </summary>
public sealed class RouteParityTests : IDisposable
{
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "DELETE", "PATCH"];
    private readonly SmtpInbox _inbox = new();

    public void Dispose() => _inbox.Dispose();

    [Fact]
    public void PortalRoutes_HaveNoDuplicates_AndAllUnderApi()
    {
        // Act
        var routes = PortalRoutes.All.Select(Format).ToList();

        // Assert
        Assert.Equal(routes.Distinct().Count(), routes.Count);
        Assert.All(PortalRoutes.All, r => Assert.StartsWith("api/", r.Route, StringComparison.Ordinal));
        Assert.All(PortalRoutes.All, r => Assert.Contains(r.Method, HttpMethods));
    }

    [Fact]
    public async Task DevHost_Routes_AreExactlyPortalRoutes()
    {
        // Act
        var served = await DevHostRoutesAsync();

        // Assert
        AssertSameRoutes("devhost", served.Where(IsApi).ToList());
    }

    [Fact]
    public void Functions_Metadata_HttpTriggersAreExactlyPortalRoutes()
    {
        // Act
        var served = FunctionsRoutes();

        // Assert
        AssertSameRoutes("Functions app (functions.metadata)", served.Where(IsApi).ToList());
    }

    [Fact]
    public async Task Pages_FunctionsServeExactlyTheDevHostsPages()
    {
        // Arrange: the pages as their capabilities declare them (PortalPages), mapped by the devhost.
        var declared = (await DevHostRoutesAsync()).Where(r => !IsApi(r)).ToList();

        // Act
        var functions = FunctionsRoutes().Where(r => !IsApi(r)).ToList();

        // Assert
        Assert.Contains("GET ", declared);
        var missing = declared.Except(functions).Order().ToList();
        var extra = functions.Except(declared).Order().ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && functions.Count == functions.Distinct().Count(),
            $"The Functions app's page triggers differ from the pages the devhost maps.\n  no trigger: [{string.Join(", ", missing)}]\n  not declared: [{string.Join(", ", extra)}]");
    }

    /// <summary>
    /// docs/API.md is the contract other systems and people read: its route and page tables name exactly what the hosts
    /// serve (parameter names and query strings aside), so a route added, removed or renamed without the document fails here.
    /// </summary>
    [Fact]
    public async Task Documented_RoutesAndPagesTables_AreExactlyWhatTheDevHostServes()
    {
        // Arrange
        var document = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot.Find(), "docs", "API.md"));
        var documented = document
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^\| (?<method>GET|POST|PUT|DELETE|PATCH) `/(?<route>[^`?]*)[^`]*` \|"))
            .Where(m => m.Success)
            .Select(m => Unnamed(m.Groups["method"].Value + " " + m.Groups["route"].Value.TrimEnd('/')))
            .ToList();

        // Act
        var served = (await DevHostRoutesAsync()).Select(Unnamed).ToList();

        // Assert
        Assert.Contains("GET api/health", documented);
        var undocumented = served.Except(documented).Order().ToList();
        var notServed = documented.Except(served).Order().ToList();
        var twice = documented.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(undocumented.Count == 0 && notServed.Count == 0 && twice.Count == 0,
            $"docs/API.md's tables and the devhost differ.\n  served, not documented: [{string.Join(", ", undocumented)}]\n" +
            $"  documented, not served: [{string.Join(", ", notServed)}]\n  documented twice: [{string.Join(", ", twice)}]");
    }

    /// <summary>A formatted route with its parameters unnamed: the document may call {delegationId} {id}.</summary>
    private static string Unnamed(string formatted) => System.Text.RegularExpressions.Regex.Replace(formatted, @"\{[^}]*\}", "{}");

    private static bool IsApi(string formatted) => formatted[(formatted.IndexOf(' ', StringComparison.Ordinal) + 1)..].StartsWith("api/", StringComparison.Ordinal);

    /// <summary>Every route the devhost maps (its dev-only sign-in aside), formatted.</summary>
    private async Task<List<string>> DevHostRoutesAsync()
    {
        await using var app = await StartedPortal.StartAsync(_inbox);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var served = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var route = (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (route == "dev" || route.StartsWith("dev/", StringComparison.Ordinal))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"The devhost route {route} answers every method; API routes name theirs.");
            served.AddRange(methods.Select(m => Format((m, route))));
        }

        return served;
    }

    /// <summary>Every HTTP trigger of the Functions app (functions.metadata), under host.json's route prefix, formatted.</summary>
    private static List<string> FunctionsRoutes()
    {
        var functions = ReadFunctionsMetadata();
        var served = new List<string>();
        foreach (var function in functions)
        {
            foreach (var binding in Bindings(function, "httpTrigger"))
            {
                Assert.True(binding.TryGetProperty("route", out var route) && route.GetString() is { Length: > 0 },
                    $"Function {Name(function)} has an HTTP trigger without a route; API routes are explicit.");
                Assert.True(binding.TryGetProperty("methods", out var methods) && methods.GetArrayLength() > 0,
                    $"Function {Name(function)} answers every HTTP method; API routes name theirs.");
                served.AddRange(methods.EnumerateArray().Select(m => Format((m.GetString()!, RoutePrefix.Value + route.GetString()!.TrimStart('/')))));
            }
        }

        return served;
    }

    [Fact]
    public void Functions_Metadata_DeclaresOrchestratorAndEveryRegisteredActivity()
    {
        // Arrange: what the devhost's engine runs.
        var registry = new DurableTaskRegistry();
        PortalServices.RegisterTasks(registry);
        var orchestrators = registry.GetOrchestrators().Select(o => o.Key.Name).ToHashSet(StringComparer.Ordinal);
        var activities = registry.GetActivities().Select(a => a.Key.Name).ToHashSet(StringComparer.Ordinal);

        // Act
        var functions = ReadFunctionsMetadata();
        var declaredOrchestrators = functions.Where(f => Bindings(f, "orchestrationTrigger").Count > 0).Select(Name).ToHashSet(StringComparer.Ordinal);
        var declaredActivities = functions.Where(f => Bindings(f, "activityTrigger").Count > 0).Select(Name).ToHashSet(StringComparer.Ordinal);

        // Assert
        Assert.Contains(nameof(OrderLifecycleOrchestrator), orchestrators);
        Assert.Contains(nameof(OrderLifecycleOrchestrator), declaredOrchestrators);
        Assert.NotEmpty(activities);
        Assert.True(orchestrators.SetEquals(declaredOrchestrators),
            $"Orchestrators registered: [{string.Join(", ", orchestrators.Order())}]; in functions.metadata: [{string.Join(", ", declaredOrchestrators.Order())}]");
        Assert.True(activities.SetEquals(declaredActivities),
            $"Activities registered: [{string.Join(", ", activities.Order())}]; in functions.metadata: [{string.Join(", ", declaredActivities.Order())}]");
    }

    private static void AssertSameRoutes(string host, IReadOnlyList<string> served)
    {
        var expected = PortalRoutes.All.Select(Format).ToHashSet(StringComparer.Ordinal);
        var duplicates = served.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missing = expected.Except(served).Order().ToList();
        var extra = served.Distinct().Except(expected).Order().ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && duplicates.Count == 0,
            $"The {host} does not serve exactly PortalRoutes.All.\n  missing: [{string.Join(", ", missing)}]\n  not in PortalRoutes.All: [{string.Join(", ", extra)}]\n  twice: [{string.Join(", ", duplicates)}]");
    }

    /// <summary>One spelling for a route in every source: upper-case method, no leading slash, parameter names kept.</summary>
    private static string Format((string Method, string Route) route) =>
        route.Method.ToUpperInvariant() + " " + (route.Route == RootRoute ? "" : route.Route.TrimStart('/').TrimEnd('/'));

    /// <summary>The Functions spelling of the site's root under an empty route prefix (see PageFunctions).</summary>
    private const string RootRoute = "{ignored:maxlength(0)?}";

    private static string Name(JsonElement function) => function.GetProperty("name").GetString()!;

    private static List<JsonElement> Bindings(JsonElement function, string type) =>
        function.GetProperty("bindings").EnumerateArray()
            .Where(b => string.Equals(b.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase))
            .ToList();

    // ---- functions.metadata: generated by the Functions worker SDK when functions/ is built ----

    private static readonly Lazy<string> MetadataPath = new(FindOrBuildMetadata);

    /// <summary>host.json's <c>extensions.http.routePrefix</c> with its slash ("api/" when unset, as the Functions host does).</summary>
    private static readonly Lazy<string> RoutePrefix = new(() =>
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "host.json")));
        var prefix = host.RootElement.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var value) ? value.GetString() ?? "" : "api";
        return prefix.Length == 0 ? "" : prefix.Trim('/') + "/";
    });

    private static List<JsonElement> ReadFunctionsMetadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath.Value));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>
    /// The functions.metadata of this test build's configuration (the test project references functions/ so it
    /// is built first); else the newest under functions/bin. Built here when there is none, or when it is older
    /// than the Functions app's sources.
    /// </summary>
    private static string FindOrBuildMetadata()
    {
        var root = RepositoryRoot.Find();
        var functions = Path.Combine(root, "functions");
        var configuration = typeof(RouteParityTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var found = Find(functions, configuration);
        var newestSource = System.IO.Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Path.Combine(functions, "Behorighetsportal.Functions.csproj"))
            .Max(File.GetLastWriteTimeUtc);
        // The metadata is only rewritten when it changes; the assembly beside it tells when it was last built.
        var builtAt = found is null ? DateTime.MinValue : new[] { found, Path.Combine(Path.GetDirectoryName(found)!, "Behorighetsportal.Functions.dll") }
            .Where(File.Exists).Max(File.GetLastWriteTimeUtc);
        if (found is not null && builtAt >= newestSource)
        {
            return found;
        }

        var build = Process.Start(new ProcessStartInfo("dotnet", $"build \"{Path.Combine(functions, "Behorighetsportal.Functions.csproj")}\" -c {configuration} -nologo -clp:ErrorsOnly")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        })!;
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        Assert.True(build.WaitForExit(TimeSpan.FromMinutes(5)), "Building the Functions app took over five minutes.");
        Assert.True(build.ExitCode == 0, $"Building the Functions app failed:\n{output.Result}\n{errors.Result}");
        return Find(functions, configuration) ?? throw new FileNotFoundException($"No functions.metadata under {functions}/bin after building it.");
    }

    private static string? Find(string functions, string configuration)
    {
        var own = Path.Combine(functions, "bin", configuration, "net10.0", "functions.metadata");
        if (File.Exists(own))
        {
            return own;
        }

        var bin = Path.Combine(functions, "bin");
        return System.IO.Directory.Exists(bin)
            ? System.IO.Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
    }
}
