using Microsoft.Extensions.Options;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>Validates the options of every registered detector name, listing all problems at once.</summary>
internal sealed class AnomalyDetectorOptionsValidator(IEnumerable<AnomalyDetectorRegistration> registrations)
    : IValidateOptions<AnomalyDetectorOptions>
{
    private readonly HashSet<string> _names = [.. registrations.Select(r => r.Name)];

    public ValidateOptionsResult Validate(string? name, AnomalyDetectorOptions options)
    {
        if (name is null || !_names.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        options.Validate(errors);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"Anomaly detector '{name}': {e}"));
    }
}

/// <summary>A detector name given to <see cref="AnomalyDetectorServiceCollectionExtensions.AddAnomalyDetector"/>.</summary>
internal sealed record AnomalyDetectorRegistration(string Name);
