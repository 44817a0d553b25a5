// The quality benchmark: fits the library's default detector, its variants and simple baselines on every labelled series
// of the shared datasets under two protocols (offline and streaming), and judges their alarms and scores against the
// labels. Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/GruAnomaly.Quality -- [--candidates default,selected,baselines,variants,fusion-variants]
//       [--protocols offline,streaming] [--series ecg/,TEK14] [--data ../shared/data] [--output benchmarks/results/quality.md] [--parallel 2]
//       [--missing 0.1,0.3] [--missing-seed 1] [--scores folder] [--smoothing 1] [--seeds 5]
// --seeds N fits every candidate that is not a baseline N times, with the detector's seeds 0 to N-1 (WithSeed), and
// reports each series' figures as their mean over the seeds, and the spread of the summary figures seed by seed: one
// seed's luck moves the mean early-alarm score by several points (quality-2026-12-03-seeds.md). Baselines train
// nothing, so they run once.
// --scores writes every step's scores of every run as CSV (ScoreDump.cs), for probes/fusion_probe.py; --smoothing sets
// every candidate's smoothing span (1: none), so that a probe can fuse raw scores and smooth the fusion itself.
// --missing removes that share of the values at random (seeded; labels kept) and runs everything once per share; with
// --candidates missing it compares the GRU under the Mask and Interpolate policies with GRU-D.
// The committed results: --candidates "default,forecast only,reconstruction,fusion with first difference,carried state,online adaptation,baselines"
//   --output benchmarks/results/quality-2026-12-02.md (9.3 min here, shared with other jobs).
using System.Diagnostics;
using System.Globalization;
using GruAnomaly.Quality;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
string? root = options.Data ?? DataRoot.Find();
if (root is null || !Directory.Exists(root))
{
    Console.WriteLine($"No labelled data found ({(root is null ? "looked for shared/data beside the repository" : root)}); nothing to measure. " +
        "Pass --data <folder> with CSVs of the form index,<values...>,label,split.");
    return 0;
}

IReadOnlyList<Candidate> candidates = Candidates.Select(options.Candidates);
// A run with another smoothing span measures other configurations under the same names: the console and the report say so.
string? smoothingNote = null;
if (options.Smoothing is int span)
{
    candidates = [.. candidates.Select(c => c.WithSmoothing(span))];
    smoothingNote = $"Every candidate's smoothing span was set to {span} (--smoothing): these are not the configurations the names say.";
    Console.WriteLine(smoothingNote);
}

ScoreDump? dump = options.Scores is null ? null : new ScoreDump(options.Scores);
// Without --seeds every candidate runs once as configured; with it, each that trains runs once per seed.
IEnumerable<int?> SeedsOf(Candidate c) => options.Seeds == 1 || c.IsBaseline ? [null] : Enumerable.Range(0, options.Seeds).Select(k => (int?)k);
Protocol[] protocols = [.. options.Protocols.Select(p => p switch
{
    "offline" => Protocol.Offline,
    "streaming" => Protocol.Streaming,
    _ => throw new ArgumentException($"Unknown protocol '{p}'; expected offline or streaming."),
})];
// --series takes one or more comma-separated parts of series names (for example ecg/chfdb,TEK14).
string[] wanted = options.Series.Split(',');
var series = LabelledSeries.Find(root).Where(s => wanted.Any(w => s.Name.Contains(w, StringComparison.Ordinal)))
    .Select(s => LabelledSeries.Load(s.Path, s.Name)).ToList();
Console.WriteLine($"{series.Count} series, {candidates.Count} candidates, protocols {string.Join(", ", protocols.Select(p => p.Name))}" +
    (options.Missing.Length > 0 ? $", values removed at random: {string.Join(", ", options.Missing.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)))} (seed {options.MissingSeed})" : string.Empty));

var clock = Stopwatch.StartNew();
var reports = new List<string>();
var summaries = new List<string>();
// Without --missing the series are run as they are; with it, once per rate, each run on its own copies with values removed.
foreach (double? rate in options.Missing.Length == 0 ? [null] : options.Missing.Select(r => (double?)r))
{
    List<LabelledSeries> runSeries = rate is double removed ? [.. series.Select(s => s.WithMissing(removed, options.MissingSeed))] : series;
    var jobs = (from s in runSeries from p in protocols from c in candidates from seed in SeedsOf(c) select (s, p, c, seed)).ToList();
    var runs = new SeriesResult[jobs.Count];
    var runClock = Stopwatch.StartNew();
    Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Parallel }, i =>
    {
        (LabelledSeries s, Protocol p, Candidate c, int? seed) = jobs[i];
        runs[i] = SeriesResult.Measure(s, p, seed is int k ? c.WithSeed(k) : c, dump);
        SeriesResult r = runs[i];
        string missing = (rate is double m ? $"{m:P0} missing " : string.Empty) + (seed is int shown ? $"seed {shown} " : string.Empty);
        Console.WriteLine(r.IsSkipped
            ? $"{missing}{r.Series,-28} {r.Protocol,-9} {r.Candidate,-22} {r.Notes}"
            : $"{missing}{r.Series,-28} {r.Protocol,-9} {r.Candidate,-22} early {r.EarlyStandard,7:F1}  event F1 {r.EventF1,5:F2}  " +
            $"PR-AUC {r.PrAuc,5:F2}  alarms {r.DetectedWindows}/{r.Windows} +{r.FalseAlarms} false  fit {r.FitSeconds,5:F1} s");
    });

    // Each series' figures are the mean over the seeds; runs of one seed are judged against the same baselines.
    var results = runs.Select((r, i) => (Run: r, Job: jobs[i])).GroupBy(x => (x.Job.s, x.Job.p, x.Job.c))
        .Select(g => SeriesResult.Average([.. g.Select(x => x.Run)])).ToList();
    string report = Report.Markdown(results, candidates, protocols, runClock.Elapsed);
    if (options.Seeds > 1)
    {
        report = $"> Every candidate that is not a baseline was fitted with the seeds 0 to {options.Seeds - 1} (`--seeds {options.Seeds}`): each series' " +
            "figures are their mean over the seeds (caught windows and false alarms too; fit and score times are totals), and the series " +
            $"worse than a baseline are counted on those means. The last section gives the summary seed by seed.{Environment.NewLine}{Environment.NewLine}{report}" +
            Report.Seeds([.. runs.Select((r, i) => (r, jobs[i].seed))], candidates, protocols);
    }

    if (smoothingNote is not null)
    {
        report = $"> {smoothingNote}{Environment.NewLine}{Environment.NewLine}{report}";
    }

    reports.Add(rate is double share
        ? report.Replace("# Detection quality, ", string.Create(CultureInfo.InvariantCulture,
            $"# {share:P0} of the values removed at random (seed {options.MissingSeed}): detection quality, "), StringComparison.Ordinal)
        : report);
    summaries.Add((rate is double s2 ? string.Create(CultureInfo.InvariantCulture, $"{s2:P0} missing:") : string.Empty) + Report.Summary(results, candidates, protocols));
}

if (options.Output is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
    File.WriteAllText(options.Output, string.Join(Environment.NewLine, reports));
    Console.WriteLine($"wrote {options.Output}");
}

summaries.ForEach(Console.WriteLine);
Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min");
return 0;

internal sealed record Options(string[] Candidates, string[] Protocols, string Series, string? Data, string? Output, int Parallel,
    double[] Missing, int MissingSeed, string? Scores, int? Smoothing, int Seeds)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(["default", "baselines"], ["offline", "streaming"], string.Empty, null, null, 2, [], 1, null, null, 1);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--candidates" => o with { Candidates = Next().Split(',') },
                "--protocols" => o with { Protocols = Next().Split(',') },
                "--series" => o with { Series = Next() },
                "--data" => o with { Data = Next() },
                "--output" => o with { Output = Next() },
                "--parallel" => o with { Parallel = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--missing" => o with { Missing = [.. Next().Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))] },
                "--missing-seed" => o with { MissingSeed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--scores" => o with { Scores = Next() },
                "--smoothing" => o with { Smoothing = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seeds" => o with { Seeds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see the comment at the top of Program.cs."),
            };
        }

        if (o.Missing.Any(r => !(r > 0 && r < 1)))
        {
            throw new ArgumentException($"--missing takes shares in (0, 1), for example 0.1,0.3; got {string.Join(",", o.Missing)}.");
        }

        if (o.Scores is not null && o.Missing.Length > 1)
        {
            throw new ArgumentException("--scores writes one set of files per series, protocol and candidate; give --missing one share at a time with it.");
        }

        if (o.Seeds < 1)
        {
            throw new ArgumentException($"--seeds takes how many seeds to fit each candidate with, 1 or more; got {o.Seeds}.");
        }

        if (o.Scores is not null && o.Seeds > 1)
        {
            throw new ArgumentException("--scores writes one set of files per series, protocol and candidate; leave --seeds out with it.");
        }

        if (o.Smoothing is < 1)
        {
            throw new ArgumentException($"--smoothing takes a span of 1 or more (1: no smoothing); got {o.Smoothing}.");
        }

        return o;
    }
}

internal static class DataRoot
{
    /// <summary>The shared datasets live beside the repository: the first <c>../shared/data</c> above the working directory.</summary>
    public static string? Find()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
