namespace GruAnomaly.Training;

/// <summary>How the trainer splits examples: the validation examples are the last ones, so they come latest in time.</summary>
internal static class ValidationSplit
{
    public static int Count(int examples, double fraction) =>
        fraction == 0 ? 0 : Math.Max(1, (int)Math.Round(examples * fraction));
}
