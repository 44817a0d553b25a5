// Long-running reliability checks that CI runs only in small seeded versions (tests/GruAnomaly.Tests/Persistence and
// Reliability). Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/GruAnomaly.Reliability -- fuzz [--minutes 10] [--seed 1]
//   dotnet run -c Release --project benchmarks/GruAnomaly.Reliability -- soak [--points 2000000] [--streams 200] [--detect-points 1000000]
//   dotnet run -c Release --project benchmarks/GruAnomaly.Reliability -- limits [--max-length 1000000] [--max-window 2048] [--max-hidden 256]
// Each prints its figures as markdown; the committed runs are in benchmarks/results/reliability-2026-12-02.md.
using System.Globalization;
using GruAnomaly.Reliability;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string command = args.Length > 0 ? args[0] : string.Empty;
string Option(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

return command switch
{
    "fuzz" => LoaderFuzzer.Run(TimeSpan.FromMinutes(double.Parse(Option("--minutes", "10"), CultureInfo.InvariantCulture)),
        int.Parse(Option("--seed", "1"), CultureInfo.InvariantCulture)),
    "soak" => Soak.Run(long.Parse(Option("--points", "2000000"), CultureInfo.InvariantCulture),
        int.Parse(Option("--streams", "200"), CultureInfo.InvariantCulture),
        int.Parse(Option("--detect-points", "1000000"), CultureInfo.InvariantCulture)),
    "limits" => Limits.Run(int.Parse(Option("--max-length", "1000000"), CultureInfo.InvariantCulture),
        int.Parse(Option("--max-window", "2048"), CultureInfo.InvariantCulture),
        int.Parse(Option("--max-hidden", "256"), CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: fuzz [--minutes 10] [--seed 1] | soak [--points 2000000] [--streams 200] [--detect-points 1000000] | " +
        "limits [--max-length 1000000] [--max-window 2048] [--max-hidden 256]");
    return 2;
}
