namespace GruAnomaly.Cli;

/// <summary>
/// A problem with what the user gave the tool (an option, a file, a cell of a file): its message is printed as it is,
/// without a stack trace, and the tool exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
internal class CliException : Exception
{
    /// <summary>Creates the exception with the message the user reads.</summary>
    /// <param name="message">What was wrong and, where it helps, how to fix it.</param>
    public CliException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the user reads and its cause.</summary>
    /// <param name="message">What was wrong and, where it helps, how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
