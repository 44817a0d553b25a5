namespace GruAnomaly.Recurrent;

/// <summary>The built-in model strategies.</summary>
/// <remarks>
/// The factories never throw: for invalid arguments they return a placeholder that <c>AnomalyDetectorBuilder.Build</c>
/// reports with every other invalid choice (through <see cref="IModelFactory.Validate"/>) and whose
/// <see cref="IModelFactory.CreateLayers"/> throws an <see cref="ArgumentException"/> naming the problem. The factory
/// classes' constructors (<see cref="GruModelFactory"/>, <see cref="LstmModelFactory"/>, <see cref="CellModelFactory"/>) still throw at once.
/// </remarks>
public static class Models
{
    /// <summary>A stack of GRU layers of equal width.</summary>
    /// <param name="hiddenSize">Units per layer; positive.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="variant">Reset-before (classic) or reset-after (PyTorch's) formulation.</param>
    /// <returns>The factory.</returns>
    public static IModelFactory Gru(int hiddenSize = 64, int layers = 1, GruVariant variant = GruVariant.ResetBefore) =>
        InvalidModelFactory.Or("Models.Gru", () => new GruModelFactory(hiddenSize, layers, variant));

    /// <summary>A stack of LSTM layers (<see cref="LstmCell"/>, PyTorch's <c>nn.LSTM</c>) of equal width.</summary>
    /// <param name="hiddenSize">Units per layer (the width of h and of c); positive.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="forgetGateBiasOne">Whether each layer's forget-gate bias starts at 1 (remember by default) instead of 0.</param>
    /// <returns>The factory.</returns>
    public static IModelFactory Lstm(int hiddenSize = 64, int layers = 1, bool forgetGateBiasOne = true) =>
        InvalidModelFactory.Or("Models.Lstm", () => new LstmModelFactory(hiddenSize, layers, forgetGateBiasOne));

    /// <summary>
    /// GRU-D (Che et al., 2018): a bottom layer that reads which values are missing and how long ago each feature was last
    /// observed, and learns how fast a gap's input decays towards the feature's mean and the state towards zero; plain GRU
    /// layers above it. Needs the <c>Mask</c> missing-value policy (see <see cref="GruDModelFactory"/>).
    /// </summary>
    /// <param name="hiddenSize">Units per layer; positive.</param>
    /// <param name="layers">Number of stacked layers; positive. Only the bottom one is GRU-D.</param>
    /// <returns>The factory.</returns>
    public static IModelFactory GruD(int hiddenSize = 64, int layers = 1) =>
        InvalidModelFactory.Or("Models.GruD", () => new GruDModelFactory(hiddenSize, layers));

    /// <summary>
    /// A causal 1-D convolution (<see cref="CausalConvolutionCell"/>, PyTorch's <c>nn.Conv1d</c> with left padding) below
    /// another model: it reads the last (kernelSize − 1)·dilation + 1 points of every step, so the layers above see
    /// filtered, longer-range features of a long or fast-sampled series.
    /// </summary>
    /// <param name="inner">The model above the convolution, reading its channels (for example <c>Models.Gru(64)</c>); not GRU-D.</param>
    /// <param name="channels">Output channels of the convolution; positive.</param>
    /// <param name="kernelSize">Taps per channel and feature; positive.</param>
    /// <param name="dilation">Steps between taps; positive.</param>
    /// <returns>The factory; its name reads like <c>conv(16, k3, d2) → GRU(64)×1</c>.</returns>
    public static IModelFactory WithConvolution(IModelFactory inner, int channels, int kernelSize, int dilation = 1) =>
        InvalidModelFactory.Or("Models.WithConvolution", () => new ConvolutionModelFactory(inner, channels, kernelSize, dilation));

    /// <summary>A stack of user-defined cells, for example a custom gate variant.</summary>
    /// <param name="name">A short description for logs.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="createCell">Creates layer <c>index</c> reading <c>inputSize</c> features; called anew for every fit.</param>
    /// <returns>The factory.</returns>
    public static IModelFactory Cells(string name, int layers, Func<int, int, IRecurrentCell> createCell) =>
        InvalidModelFactory.Or("Models.Cells", () => new CellModelFactory(name, layers, createCell));
}

/// <summary>Stacked GRU layers of one width.</summary>
public sealed class GruModelFactory : IModelFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="hiddenSize">Units per layer; positive.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="variant">The GRU formulation.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the variant is unknown.</exception>
    public GruModelFactory(int hiddenSize, int layers, GruVariant variant)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        if (!Enum.IsDefined(variant))
        {
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "Expected ResetBefore or ResetAfter.");
        }

        HiddenSize = hiddenSize;
        Layers = layers;
        Variant = variant;
    }

    /// <summary>Gets the units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the number of layers.</summary>
    public int Layers { get; }

    /// <summary>Gets the GRU formulation.</summary>
    public GruVariant Variant { get; }

    /// <inheritdoc />
    public string Name => $"GRU{(Variant == GruVariant.ResetAfter ? "-reset-after" : "")}({HiddenSize})×{Layers}";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize) =>
        RecurrentNetwork.CreateGru(inputSize, HiddenSize, Layers, variant: Variant).Layers;
}

/// <summary>Stacked LSTM layers (<see cref="LstmCell"/>) of one width.</summary>
public sealed class LstmModelFactory : IModelFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="hiddenSize">Units per layer; positive.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="forgetGateBiasOne">Whether each layer's forget-gate bias starts at 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public LstmModelFactory(int hiddenSize, int layers, bool forgetGateBiasOne = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        HiddenSize = hiddenSize;
        Layers = layers;
        ForgetGateBiasOne = forgetGateBiasOne;
    }

    /// <summary>Gets the units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the number of layers.</summary>
    public int Layers { get; }

    /// <summary>Gets a value indicating whether each layer's forget-gate bias starts at 1.</summary>
    public bool ForgetGateBiasOne { get; }

    /// <inheritdoc />
    public string Name => $"LSTM({HiddenSize})×{Layers}{(ForgetGateBiasOne ? "" : ", forget bias 0")}";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize)
    {
        var cells = new IRecurrentCell[Layers];
        for (int i = 0; i < Layers; i++)
        {
            cells[i] = new LstmCell(i == 0 ? inputSize : HiddenSize, HiddenSize, ForgetGateBiasOne);
        }

        return cells;
    }
}

/// <summary>Stacked user-defined cells.</summary>
public sealed class CellModelFactory : IModelFactory
{
    private readonly Func<int, int, IRecurrentCell> _createCell;

    /// <summary>Creates the factory.</summary>
    /// <param name="name">A short description for logs.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <param name="createCell">Creates layer <c>index</c> (second argument) reading <c>inputSize</c> (first argument) features.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layers"/> is not positive.</exception>
    public CellModelFactory(string name, int layers, Func<int, int, IRecurrentCell> createCell)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentNullException.ThrowIfNull(createCell);
        Name = name;
        Layers = layers;
        _createCell = createCell;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Gets the number of layers.</summary>
    public int Layers { get; }

    /// <inheritdoc />
    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize)
    {
        var cells = new IRecurrentCell[Layers];
        for (int i = 0; i < Layers; i++)
        {
            IRecurrentCell cell = _createCell(i == 0 ? inputSize : cells[i - 1].HiddenSize, i)
                ?? throw new InvalidOperationException($"The cell factory of '{Name}' returned null for layer {i}.");
            int expected = i == 0 ? inputSize : cells[i - 1].HiddenSize;
            if (cell.InputSize != expected)
            {
                throw new InvalidOperationException(
                    $"The cell factory of '{Name}' returned a layer {i} reading {cell.InputSize} inputs; expected {expected}.");
            }

            cells[i] = cell;
        }

        return cells;
    }
}

/// <summary>What a <see cref="Models"/> factory returns for invalid arguments: reported by <see cref="Validate"/>, refused by <see cref="CreateLayers"/>.</summary>
internal sealed class InvalidModelFactory(string name, string problem) : IModelFactory, Diagnostics.IInvalidChoice
{
    public string Name => name;

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public string Problem => problem;

    /// <summary>Creates the factory, or a placeholder that carries why its arguments were refused.</summary>
    public static IModelFactory Or(string factory, Func<IModelFactory> create) =>
        Diagnostics.DeferredArguments.TryCreate(factory, create, out string? problem) ?? new InvalidModelFactory($"{factory}(invalid)", problem!);

    public void Validate(ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        problems.Add(problem);
    }

    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize) => throw Diagnostics.DeferredArguments.Refusal(problem);
}
