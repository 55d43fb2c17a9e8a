using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Behorighetsportal.Tests.Infrastructure;

namespace Behorighetsportal.Tests.Infra;

/// <summary>What <c>bicep build</c> said about a file: its exit code, the ARM JSON and every diagnostic line.</summary>
public sealed record BicepBuild(int ExitCode, string Json, IReadOnlyList<string> Diagnostics, string CliPath)
{
    public IReadOnlyList<string> Warnings => Diagnostics.Where(d => d.Contains(" : Warning ", StringComparison.Ordinal)).ToList();

    public IReadOnlyList<string> Errors => Diagnostics.Where(d => d.Contains(" : Error ", StringComparison.Ordinal)).ToList();
}

/// <summary>
/// The Bicep CLI from NuGet (<c>Azure.Bicep.CommandLine.linux-x64</c>, version in Directory.Packages.props), restored
/// into tools/bicep/packages by <c>dotnet restore tools/bicep/Bicep.Tools.csproj</c>. scripts/test.sh restores it;
/// when a developer runs the tests without that step, the first test restores it. <c>BICEP_CLI</c> names another
/// binary (e.g. <c>~/.azure/bin/bicep</c> from <c>az bicep install</c> on a machine that is not linux-x64).
/// </summary>
public static partial class BicepCli
{
    public const string PackageId = "Azure.Bicep.CommandLine.linux-x64";
    private static readonly Lazy<string> Executable = new(FindOrRestore);
    private static readonly Lazy<BicepBuild> Main = new(() => Build(Path.Combine("infra", "main.bicep")));

    /// <summary>infra/main.bicep, built once per test run.</summary>
    public static BicepBuild MainTemplate => Main.Value;

    public static string Root { get; } = RepositoryRoot.Find();

    public static BicepBuild Build(string relativePath)
    {
        var cli = Executable.Value;
        var (exitCode, stdout, stderr) = Run(cli, $"build \"{Path.Combine(Root, relativePath)}\" --stdout", TimeSpan.FromMinutes(3));
        var diagnostics = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new BicepBuild(exitCode, stdout, diagnostics, cli);
    }

    private static string FindOrRestore()
    {
        if (Environment.GetEnvironmentVariable("BICEP_CLI") is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? explicitPath : throw new InvalidOperationException($"BICEP_CLI={explicitPath} does not exist.");
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new InvalidOperationException(
                $"The Bicep CLI package restored by tools/bicep is for linux-x64; on {RuntimeInformation.RuntimeIdentifier} install Bicep (az bicep install) and set BICEP_CLI to its path.");
        }

        var path = PackagedPath();
        if (!File.Exists(path))
        {
            var project = Path.Combine(Root, "tools", "bicep", "Bicep.Tools.csproj");
            var (exitCode, stdout, stderr) = Run("dotnet", $"restore \"{project}\" -nologo", TimeSpan.FromMinutes(5));
            if (exitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException($"Could not restore {PackageId} with 'dotnet restore {project}' (exit {exitCode}):\n{stdout}\n{stderr}");
            }
        }

        // NuGet keeps the package's file mode, which may lack the execute bit for others than the owner.
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>tools/bicep/packages/azure.bicep.commandline.linux-x64/{version}/tools/bicep, the version pinned centrally.</summary>
    private static string PackagedPath()
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Packages.props"));
        var version = props.Descendants("PackageVersion")
            .FirstOrDefault(p => string.Equals((string?)p.Attribute("Include"), PackageId, StringComparison.OrdinalIgnoreCase))
            ?.Attribute("Version")?.Value
            ?? throw new InvalidOperationException($"Directory.Packages.props has no PackageVersion for {PackageId}.");
        return Path.Combine(Root, "tools", "bicep", "packages", PackageId.ToLowerInvariant(), version, "tools", "bicep");
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, string arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, Ansi().Replace(stderr.Result, ""));
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex Ansi();
}
