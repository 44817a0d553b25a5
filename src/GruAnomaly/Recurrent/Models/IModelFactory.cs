namespace GruAnomaly.Recurrent;

/// <summary>
/// The model strategy of a detector: which recurrent layers to stack. The scorer decides what sits around them
/// (a forecasting head, or an encoder and a decoder), so one factory serves every scorer.
/// </summary>
public interface IModelFactory
{
    /// <summary>Gets a short description for logs and reports, for example <c>GRU(64)×2</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Adds a message per invalid setting of this factory, so that <c>AnomalyDetectorBuilder.Build</c> reports it with the
    /// others. The factories of <see cref="Models"/> record an invalid argument here instead of throwing.
    /// </summary>
    /// <param name="problems">Receives the messages.</param>
    void Validate(ICollection<string> problems)
    {
    }

    /// <summary>Creates a fresh stack of layers, bottom first; layer i + 1 reads layer i's output (the first HiddenSize values of its state).</summary>
    /// <param name="inputSize">Features per step read by the bottom layer.</param>
    /// <returns>The cells, at least one.</returns>
    IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize);
}
