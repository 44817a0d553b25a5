namespace GruAnomaly.Recurrent;

/// <summary>
/// A causal 1-D convolution (<see cref="CausalConvolutionCell"/>) below another model's layers: the convolution reads the
/// series and the inner model reads its channels (see <see cref="Models.WithConvolution"/>).
/// </summary>
public sealed class ConvolutionModelFactory : IModelFactory
{
    /// <summary>The most convolutions stacked by nesting factories; a saved detector holds at most this many.</summary>
    public const int MaxNesting = 4;

    /// <summary>Creates the factory.</summary>
    /// <param name="inner">The model above the convolution; not GRU-D, which must read the Mask policy's inputs itself.</param>
    /// <param name="channels">Output channels of the convolution; positive.</param>
    /// <param name="kernelSize">Taps per channel and feature; positive.</param>
    /// <param name="dilation">Steps between taps; positive.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is GRU-D, or nests more than <see cref="MaxNesting"/> convolutions with this one.</exception>
    public ConvolutionModelFactory(IModelFactory inner, int channels, int kernelSize, int dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        if (inner is GruDModelFactory)
        {
            throw new ArgumentException(
                "GRU-D cannot sit above a convolution: it reads the Mask policy's values, mask and time gaps itself. Use a GRU or an LSTM as the inner model.",
                nameof(inner));
        }

        int nesting = 1 + (inner is ConvolutionModelFactory below ? below.Nesting : 0);
        if (nesting > MaxNesting)
        {
            throw new ArgumentException($"Expected at most {MaxNesting} nested convolutions; this one would be number {nesting}.", nameof(inner));
        }

        Inner = inner;
        Channels = channels;
        KernelSize = kernelSize;
        Dilation = dilation;
        Nesting = nesting;
    }

    /// <summary>Gets the model above the convolution.</summary>
    public IModelFactory Inner { get; }

    /// <summary>Gets the convolution's output channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the convolution's taps per channel and feature.</summary>
    public int KernelSize { get; }

    /// <summary>Gets the steps between the convolution's taps.</summary>
    public int Dilation { get; }

    /// <summary>Gets how many convolution factories are nested here, this one included (1 to <see cref="MaxNesting"/>).</summary>
    public int Nesting { get; }

    /// <inheritdoc />
    public string Name => $"conv({Channels}, k{KernelSize}, d{Dilation}) → {Inner.Name}";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public void Validate(ICollection<string> problems) => Inner.Validate(problems);

    /// <inheritdoc />
    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize)
    {
        IReadOnlyList<IRecurrentCell> above = Inner.CreateLayers(Channels);
        var cells = new IRecurrentCell[above.Count + 1];
        cells[0] = new CausalConvolutionCell(inputSize, Channels, KernelSize, Dilation);
        for (int i = 0; i < above.Count; i++)
        {
            cells[i + 1] = above[i];
        }

        return cells;
    }
}
