namespace GruAnomaly.Training.Schedules;

/// <summary>The built-in learning-rate schedules.</summary>
public static class LearningRateSchedule
{
    /// <summary>Keeps the initial learning rate for the whole run.</summary>
    /// <value>A shared <see cref="ConstantSchedule"/>.</value>
    public static ILearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (PyTorch's <c>StepLR</c>).</summary>
    /// <param name="stepSize">The number of epochs between reductions; positive.</param>
    /// <param name="gamma">The factor applied at each reduction; in (0, 1].</param>
    /// <returns>A <see cref="StepDecaySchedule"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static ILearningRateSchedule StepDecay(int stepSize, float gamma) => new StepDecaySchedule(stepSize, gamma);

    /// <summary>Cosine annealing to <paramref name="minimumLearningRate"/> over <paramref name="totalEpochs"/> epochs (PyTorch's <c>CosineAnnealingLR</c>, held at the minimum afterwards).</summary>
    /// <param name="totalEpochs">The number of epochs over which the rate falls to the minimum; positive.</param>
    /// <param name="minimumLearningRate">The rate reached at the end; finite and non-negative.</param>
    /// <returns>A <see cref="CosineSchedule"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static ILearningRateSchedule Cosine(int totalEpochs, float minimumLearningRate = 0f) => new CosineSchedule(totalEpochs, minimumLearningRate);

    /// <summary>Reduces the rate when the monitored loss stops improving (PyTorch's <c>ReduceLROnPlateau</c>, mode <c>'min'</c>, relative threshold).</summary>
    /// <param name="factor">The factor applied at each reduction; in (0, 1).</param>
    /// <param name="patience">The number of bad epochs tolerated before a reduction; non-negative.</param>
    /// <param name="threshold">The relative improvement that counts; in [0, 1).</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are not counted; non-negative.</param>
    /// <param name="minimumLearningRate">The rate below which no reduction goes; finite and non-negative.</param>
    /// <returns>A <see cref="ReduceOnPlateauSchedule"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static ILearningRateSchedule ReduceOnPlateau(
        float factor = 0.1f, int patience = 10, float threshold = 1e-4f, int cooldown = 0, float minimumLearningRate = 0f)
    {
        return new ReduceOnPlateauSchedule(factor, patience, threshold, cooldown, minimumLearningRate);
    }
}