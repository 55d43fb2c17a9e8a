using Behorighetsportal.Bench.Lifecycle;

namespace Behorighetsportal.Bench;

/// <summary>Benchmarks that print numbers; not part of the test command. See README "Benchmarks".</summary>
public static class BenchProgram
{
    // Not top-level statements: those would declare a global Program beside the devhost's, which lifecycle hosts.
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "kiv-import" => await KivImportBenchmark.RunAsync(args[1..]),
        "lifecycle" => await LifecycleBenchmark.RunAsync(args[1..]),
        "pages" => await Pages.PagesBenchmark.RunAsync(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.WriteLine("usage: dotnet run --project bench/Behorighetsportal.Bench -c Release -- kiv-import [--identities 55000] [--units 400] [--storage <connection string>] [--no-policies] [--json]");
        Console.WriteLine("       dotnet run --project bench/Behorighetsportal.Bench -c Release -- lifecycle [--orders N] [--backend inprocess|azurite] [--concurrency C] [--json]");
        Console.WriteLine("       dotnet run --project bench/Behorighetsportal.Bench -c Release -- pages [--identities 55000] [--units 400] [--users 20] [--samples 200] [--runs 2] [--managers 4] [--waiting 200] [--pages <file>] [--data <folder>] [--count-samples 3]");
        return 2;
    }
}
