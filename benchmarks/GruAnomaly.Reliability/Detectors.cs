using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Reliability;

/// <summary>The detector both checks run: the default decision path with a small model, so that the checks measure the library, not training.</summary>
internal static class Detectors
{
    public static FittedAnomalyDetector Small() => AnomalyDetector.CreateBuilder()
        .WithWindow(32)
        .WithModel(Models.Gru(hiddenSize: 16))
        .WithTrainer(new TrainerOptions { Epochs = 3, Seed = 1 })
        .Build()
        .Fit(Series(0, 3000, seed: 1));

    /// <summary>A noisy sine with a period of 40, from <paramref name="start"/>: every stream gets its own phase of one function.</summary>
    public static float[] Series(long start, int length, int seed)
    {
        var values = new float[length];
        for (int t = 0; t < length; t++)
        {
            values[t] = Value(start + t, seed);
        }

        return values;
    }

    /// <summary>The value at <paramref name="time"/> of series <paramref name="seed"/>: computed, never stored, so a series can be longer than memory.</summary>
    public static float Value(long time, int seed)
    {
        // A hash instead of a Random, so that any point can be computed on its own.
        ulong h = unchecked(((ulong)time * 0x9E3779B97F4A7C15UL) ^ ((ulong)seed * 0xC2B2AE3D27D4EB4FUL));
        h ^= h >> 31;
        h = unchecked(h * 0xBF58476D1CE4E5B9UL);
        h ^= h >> 29;
        double noise = (h >> 11) * (1.0 / (1UL << 53));
        double spike = time % 9973 == 5000 ? 4 : 0;
        return (float)(Math.Sin(time * 2 * Math.PI / 40) + (0.2 * noise) + spike);
    }
}
