namespace GruAnomaly.Training.Schedules;

/// <summary>Argument checks shared by the schedules.</summary>
internal static class ScheduleArguments
{
    public static void ValidateInitialLearningRate(float initialLearningRate)
    {
        if (!(initialLearningRate >= 0f) || float.IsPositiveInfinity(initialLearningRate))
        {
            throw new ArgumentOutOfRangeException(
                nameof(initialLearningRate), initialLearningRate, "initialLearningRate must be finite and non-negative.");
        }
    }

    public static bool IsFiniteNonNegative(float value) => value >= 0f && float.IsFinite(value);
}