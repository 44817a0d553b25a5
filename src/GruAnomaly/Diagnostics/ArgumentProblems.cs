namespace GruAnomaly.Diagnostics;

/// <summary>
/// Collects every out-of-range argument of one call so that a single exception reports all of them,
/// instead of making the caller fix one problem per run.
/// </summary>
/// <remarks>
/// The exception is an <see cref="ArgumentOutOfRangeException"/> whose <see cref="ArgumentException.ParamName"/>
/// and actual value are those of the first problem and whose message lists every problem.
/// </remarks>
internal sealed class ArgumentProblems
{
    private readonly List<string> _messages = [];
    private string? _firstParameterName;
    private object? _firstActualValue;

    /// <summary>Records one problem.</summary>
    public void Add(string parameterName, object? actualValue, string message)
    {
        if (_messages.Count == 0)
        {
            _firstParameterName = parameterName;
            _firstActualValue = actualValue;
        }

        _messages.Add(message);
    }

    /// <summary>Throws if any problem was recorded.</summary>
    public void ThrowIfAny()
    {
        if (_messages.Count > 0)
        {
            throw new ArgumentOutOfRangeException(_firstParameterName, _firstActualValue, string.Join(" ", _messages));
        }
    }
}