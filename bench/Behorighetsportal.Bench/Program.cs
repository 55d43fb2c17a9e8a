using Behorighetsportal.Bench;

// Benchmarks that print numbers; not part of the test command. See README "Benchmarks".
return args.FirstOrDefault() switch
{
    "kiv-import" => await KivImportBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run --project bench/Behorighetsportal.Bench -c Release -- kiv-import [--identities 55000] [--units 400] [--json]");
    return 2;
}
