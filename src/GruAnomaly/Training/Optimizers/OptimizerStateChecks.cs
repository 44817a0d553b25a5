using System.Collections.ObjectModel;

namespace GruAnomaly.Training.Optimizers;

/// <summary>Argument checks and snapshot copying shared by the optimizer states.</summary>
internal static class OptimizerStateChecks
{
    /// <summary>Checks the arguments of <see cref="IOptimizerState.Step"/> without allocating on success.</summary>
    public static void ValidateStep(int parameterCount, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (parameters.Length != parameterCount)
        {
            ThrowLength(nameof(parameters), parameterCount, parameters.Length);
        }

        if (gradients.Length != parameterCount)
        {
            ThrowLength(nameof(gradients), parameterCount, gradients.Length);
        }

        if (!(learningRate >= 0f) || float.IsPositiveInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learningRate must be finite and non-negative.");
        }
    }

    /// <summary>Copies live buffers into a new snapshot.</summary>
    public static OptimizerSnapshot Snapshot(int stepCount, params ReadOnlySpan<float[]> buffers)
    {
        float[][] copies = new float[buffers.Length][];
        for (int i = 0; i < buffers.Length; i++)
        {
            copies[i] = (float[])buffers[i].Clone();
        }

        return new OptimizerSnapshot(stepCount, new ReadOnlyCollection<float[]>(copies));
    }

    /// <summary>Checks that a snapshot fits the live buffers, then copies it into them; on failure nothing is changed.</summary>
    public static void Restore(OptimizerSnapshot snapshot, params ReadOnlySpan<float[]> buffers)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.StepCount < 0)
        {
            throw new ArgumentException($"The snapshot's StepCount must be non-negative; got {snapshot.StepCount}.", nameof(snapshot));
        }

        if (snapshot.Buffers is null || snapshot.Buffers.Count != buffers.Length)
        {
            throw new ArgumentException(
                $"The snapshot must have {buffers.Length} buffers for this optimizer; got {snapshot.Buffers?.Count ?? 0}.", nameof(snapshot));
        }

        for (int i = 0; i < buffers.Length; i++)
        {
            float[]? source = snapshot.Buffers[i];
            if (source is null || source.Length != buffers[i].Length)
            {
                throw new ArgumentException(
                    $"Snapshot buffer {i} must have {buffers[i].Length} values; got {source?.Length ?? 0}.", nameof(snapshot));
            }
        }

        for (int i = 0; i < buffers.Length; i++)
        {
            snapshot.Buffers[i].CopyTo(buffers[i], 0);
        }
    }

    private static void ThrowLength(string parameterName, int expected, int actual)
    {
        throw new ArgumentException(
            $"{parameterName} must have {expected} values (the parameter count the state was created for); got {actual}.", parameterName);
    }
}