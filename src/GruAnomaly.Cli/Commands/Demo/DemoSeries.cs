using GruAnomaly.Detection;

namespace GruAnomaly.Cli.Commands.Demo;

/// <summary>A labelled anomaly that <see cref="DemoSeries"/> injected: what it is and the test steps it covers.</summary>
/// <param name="Kind">A short name of the kind of anomaly.</param>
/// <param name="Description">What happens to the series.</param>
/// <param name="Start">The first test step of the labelled window.</param>
/// <param name="End">The last test step of the labelled window (inclusive).</param>
internal sealed record InjectedAnomaly(string Kind, string Description, int Start, int End)
{
    /// <summary>Gets the number of steps in the window.</summary>
    public int Length => End - Start + 1;
}

/// <summary>
/// A seeded, realistic labelled series for the demo: a half-hourly load (a web service's requests, a building's power)
/// with a daily profile (a morning rise, a midday plateau, an evening peak, quiet nights), quieter weekends, slow growth,
/// a months-long swing, and noise that is correlated in time and louder when the load is high. The training part is
/// normal; the test part holds anomalies of seven kinds, each labelled with the steps it changes.
/// </summary>
internal sealed class DemoSeries
{
    /// <summary>Time steps per day (half-hourly).</summary>
    public const int StepsPerDay = 48;

    /// <summary>Time steps per week.</summary>
    public const int StepsPerWeek = 7 * StepsPerDay;

    /// <summary>The default length: 18 weeks, half for training and half for detection.</summary>
    public const int DefaultLength = 18 * StepsPerWeek;

    /// <summary>The shortest length: four weeks, so that training and test part each hold two.</summary>
    public const int MinimumLength = 4 * StepsPerWeek;

    /// <summary>The first timestamp: a Monday.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private DemoSeries(float[] values, DateTimeOffset[] timestamps, int trainingLength, IReadOnlyList<InjectedAnomaly> anomalies)
    {
        Values = values;
        Timestamps = timestamps;
        TrainingLength = trainingLength;
        Anomalies = anomalies;
        var labels = new bool[values.Length - trainingLength];
        foreach (InjectedAnomaly anomaly in anomalies)
        {
            labels.AsSpan(anomaly.Start, anomaly.Length).Fill(true);
        }

        Labels = labels;
    }

    /// <summary>Gets every value, training part first.</summary>
    public float[] Values { get; }

    /// <summary>Gets one timestamp per value, half an hour apart.</summary>
    public DateTimeOffset[] Timestamps { get; }

    /// <summary>Gets the length of the training part (normal data).</summary>
    public int TrainingLength { get; }

    /// <summary>Gets the injected anomalies, in time order, in test steps.</summary>
    public IReadOnlyList<InjectedAnomaly> Anomalies { get; }

    /// <summary>Gets one label per test step: true inside an injected anomaly.</summary>
    public bool[] Labels { get; }

    /// <summary>Gets the training part.</summary>
    public TimeSeries Training => TimeSeries.Univariate(Values.AsSpan(0, TrainingLength), Timestamps[..TrainingLength]);

    /// <summary>Gets the test part.</summary>
    public TimeSeries Test => TimeSeries.Univariate(Values.AsSpan(TrainingLength), Timestamps[TrainingLength..]);

    /// <summary>Generates the series.</summary>
    /// <param name="length">Total time steps, at least <see cref="MinimumLength"/>; the first half trains.</param>
    /// <param name="seed">The seed: the same seed and length give the same series.</param>
    /// <returns>The series and its labels.</returns>
    public static DemoSeries Create(int length, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinimumLength);
        var random = new Random(seed);
        int trainingLength = length / 2;
        int testLength = length - trainingLength;
        double swingPhase = random.NextDouble() * 2 * Math.PI;

        var load = new double[length];      // the cyclic part, before level and noise
        var level = new double[length];
        var sigma = new double[length];
        for (int t = 0; t < length; t++)
        {
            double day = (double)t / StepsPerDay;
            level[t] = 100 + (0.15 * day) + (6 * Math.Sin((2 * Math.PI * day / 45) + swingPhase));
            load[t] = 60 * WeekdayFactor(t) * DailyProfile(t % StepsPerDay * 24.0 / StepsPerDay, eveningPeak: true);
            sigma[t] = 1.5 + (0.04 * load[t]);
        }

        var anomalies = new List<InjectedAnomaly>();
        var values = new double[length];

        // Where the anomalies go: spread over the test part at an hour of the day that suits each, every window
        // shortened if the part is short, and kept apart from the one before.
        (string Kind, double At, int Hour, int Steps)[] plan =
        [
            ("spike", 0.07, 11, 1),
            ("level shift", 0.19, 8, 2 * StepsPerDay),
            ("stuck sensor", 0.35, 7, 30),
            ("variance burst", 0.48, 10, 16),
            ("missing evening peak", 0.60, 16, 16),
            ("outage", 0.74, 12, 6),
            ("slow ramp", 0.86, 0, StepsPerDay),
        ];
        int spacing = testLength / (plan.Length + 1);
        int previousEnd = 0;
        foreach ((string kind, double at, int hour, int steps) in plan)
        {
            int position = trainingLength + (int)(at * testLength);
            int start = (position - (position % StepsPerDay)) + (2 * hour) - trainingLength;
            start = Math.Max(start, previousEnd + 6);
            int end = Math.Min(start + Math.Min(steps, Math.Max(1, spacing - 8)) - 1, testLength - 1);
            anomalies.Add(new InjectedAnomaly(kind, string.Empty, start, end));
            previousEnd = end;
        }

        // The noise: AR(1), so that normal wiggles last a few steps, scaled by the load.
        double ar = 0;
        var noise = new double[length];
        for (int t = 0; t < length; t++)
        {
            ar = (0.5 * ar) + (Math.Sqrt(1 - 0.25) * Gaussian(random));
            noise[t] = ar;
        }

        for (int t = 0; t < length; t++)
        {
            values[t] = level[t] + load[t] + (sigma[t] * noise[t]);
        }

        // Inject into the test part (steps are test steps; t is the index in the whole series).
        for (int a = 0; a < anomalies.Count; a++)
        {
            InjectedAnomaly window = anomalies[a];
            int from = trainingLength + window.Start, to = trainingLength + window.End;
            string description;
            switch (window.Kind)
            {
                case "spike":
                    values[from] += 35;
                    description = "one reading 35 above normal";
                    break;
                case "level shift":
                    for (int t = from; t <= to; t++)
                    {
                        values[t] += 22;
                    }

                    description = "the level rises by 22, then returns";
                    break;
                case "stuck sensor":
                    double stuck = values[from - 1];
                    for (int t = from; t <= to; t++)
                    {
                        values[t] = stuck + (0.2 * Gaussian(random));
                    }

                    description = "the reading freezes at its last value";
                    break;
                case "variance burst":
                    for (int t = from; t <= to; t++)
                    {
                        values[t] += 5 * sigma[t] * Gaussian(random);
                    }

                    description = "the noise grows five-fold";
                    break;
                case "missing evening peak":
                    for (int t = from; t <= to; t++)
                    {
                        double hour = t % StepsPerDay * 24.0 / StepsPerDay;
                        double without = 60 * WeekdayFactor(t) * DailyProfile(hour, eveningPeak: false);
                        values[t] += without - load[t];
                    }

                    description = "the evening peak does not come";
                    break;
                case "outage":
                    for (int t = from; t <= to; t++)
                    {
                        values[t] = 0.1 * values[t];
                    }

                    description = "the load drops to a tenth for three hours";
                    break;
                default:
                    int steps = to - from + 1;
                    for (int t = from; t <= to; t++)
                    {
                        double s = (double)(t - from + 1) / steps;
                        values[t] += 30 * Math.Sin(Math.PI * s);
                    }

                    description = "the load creeps up by 30 and back over a day";
                    break;
            }

            anomalies[a] = window with { Description = description };
        }

        var timestamps = new DateTimeOffset[length];
        for (int t = 0; t < length; t++)
        {
            timestamps[t] = Start.AddMinutes(30.0 * t);
        }

        return new DemoSeries([.. values.Select(v => (float)v)], timestamps, trainingLength, anomalies);
    }

    /// <summary>Weekdays 1, Saturday 0.75, Sunday 0.6.</summary>
    private static double WeekdayFactor(int t) => (t / StepsPerDay % 7) switch
    {
        5 => 0.75,
        6 => 0.6,
        _ => 1.0,
    };

    /// <summary>A smooth daily profile in [0, about 1]: a morning rise, a midday plateau and an evening peak.</summary>
    private static double DailyProfile(double hour, bool eveningPeak) =>
        (0.55 * Bump(hour, 9, 1.8)) + (0.45 * Bump(hour, 13.5, 2.5)) + (eveningPeak ? 0.8 * Bump(hour, 19.5, 1.6) : 0);

    private static double Bump(double hour, double centre, double width)
    {
        double distance = Math.Abs(hour - centre);
        distance = Math.Min(distance, 24 - distance);
        return Math.Exp(-0.5 * (distance / width) * (distance / width));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
