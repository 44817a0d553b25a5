namespace GruAnomaly.Persistence;

/// <summary>
/// Sane bounds on the sizes a file may claim, checked before anything is allocated: a damaged or hostile file must not
/// make a load (or a later detection with what was loaded) allocate gigabytes. Every detector the builder can make on a
/// real series stays far inside them.
/// </summary>
internal static class Limits
{
    /// <summary>The longest string (names, automatic-choice lines), in UTF-8 bytes.</summary>
    public const int StringBytes = 1 << 16;

    /// <summary>The most features per time step.</summary>
    public const int Features = 1 << 16;

    /// <summary>The longest window (of a model, a baseline or a forecast horizon).</summary>
    public const int Window = 1 << 24;

    /// <summary>The most values a stream keeps per series: its window times its features.</summary>
    public const long StreamValues = 1L << 24;

    /// <summary>The most units of a recurrent layer, inputs of a layer, or outputs of a head.</summary>
    public const int LayerWidth = 1 << 16;

    /// <summary>The most recurrent layers of a network.</summary>
    public const int Layers = 1 << 10;

    /// <summary>The longest history a running score normalization keeps (and allocates for every series).</summary>
    public const int NormalizationHistory = 1 << 24;

    /// <summary>The most components of a fusion.</summary>
    public const int FusionComponents = 1 << 8;
}
