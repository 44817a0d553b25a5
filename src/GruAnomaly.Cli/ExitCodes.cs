namespace GruAnomaly.Cli;

/// <summary>The exit codes of <c>gru-anomaly</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed for a reason other than its input (a bug, a full disk, a failed fit).</summary>
    public const int Failure = 1;

    /// <summary>The command line or an input file was wrong: an unknown option, a missing file, a cell that is not a number.</summary>
    public const int Usage = 2;

    /// <summary>The user cancelled (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
