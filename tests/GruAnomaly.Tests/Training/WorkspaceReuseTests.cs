using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Training;

/// <summary>
/// A training run hands its workspaces to the next run on the same network: the next run must not be able to tell,
/// whatever the earlier run's shapes left in the buffers.
/// </summary>
public sealed class WorkspaceReuseTests
{
    [Theory]
    [InlineData(GruVariant.ResetAfter, 24)]
    [InlineData(GruVariant.ResetBefore, 80)]
    public void ARunOnReturnedWorkspacesGivesTheBitsOfARunOnNewOnes(GruVariant variant, int hidden)
    {
        float[] series = [.. Enumerable.Range(0, 400).Select(i => MathF.Sin(0.15f * i) + (0.05f * MathF.Cos(1.3f * i)))];
        var wide = WindowedSeries.Univariate(series, window: 30);
        var narrow = WindowedSeries.Univariate(series, window: 12);
        TrainerOptions Options(int batch) => new() { Epochs = 2, BatchSize = batch, ValidationFraction = 0.2, Shuffle = true, Seed = 5 };
        RecurrentNetwork Network() => RecurrentNetwork.CreateGru(1, hidden, layers: 2, outputSize: 1, variant);

        // The reference: every run on a network of its own, so on new workspaces.
        RecurrentNetwork first = Network();
        float[] initial = first.CreateParameters(seed: 3);
        float[] wideAlone = Train(Network(), initial, wide, Options(48));
        float[] narrowAlone = Train(Network(), initial, narrow, Options(16));

        // One network for every run: the later runs take the workspaces the earlier ones returned, larger buffers
        // and stale values included (a wider window and a larger batch first, then a narrower and smaller one).
        Assert.Equal(Bits(wideAlone), Bits(Train(first, initial, wide, Options(48))));
        Assert.Equal(Bits(narrowAlone), Bits(Train(first, initial, narrow, Options(16))));
        Assert.Equal(Bits(wideAlone), Bits(Train(first, initial, wide, Options(48))));
        Assert.Equal(Bits(narrowAlone), Bits(Train(first, initial, narrow, Options(16))));
    }

    [Fact]
    public void AnEncoderDecoderRunOnReturnedWorkspacesGivesTheBitsOfARunOnNewOnes()
    {
        // The reconstruction scorer's model reuses its workspaces the same way (its encoder and decoder buffers inside).
        float[] series = [.. Enumerable.Range(0, 300).Select(i => MathF.Sin(0.2f * i) + (0.1f * MathF.Cos(0.7f * i)))];
        var wide = ReconstructionWindows.Univariate(series, window: 24);
        var narrow = ReconstructionWindows.Univariate(series, window: 10);
        TrainerOptions Options(int batch) => new() { Epochs = 2, BatchSize = batch, ValidationFraction = 0, Shuffle = true, Seed = 6 };
        EncoderDecoderNetwork Model() => EncoderDecoderNetwork.CreateGru(1, 10, layers: 2);

        EncoderDecoderNetwork model = Model();
        float[] initial = model.CreateParameters(seed: 2);
        int[] wideAlone = Bits(new Trainer(Options(48)).Fit(Model(), initial, wide).Parameters.ToArray());
        int[] narrowAlone = Bits(new Trainer(Options(16)).Fit(Model(), initial, narrow).Parameters.ToArray());
        for (int round = 0; round < 2; round++)
        {
            Assert.Equal(wideAlone, Bits(new Trainer(Options(48)).Fit(model, initial, wide).Parameters.ToArray()));
            Assert.Equal(narrowAlone, Bits(new Trainer(Options(16)).Fit(model, initial, narrow).Parameters.ToArray()));
        }
    }

    [Fact]
    public void ConcurrentRunsOnOneNetworkNeverShareAWorkspace()
    {
        // Four threads train the same network at once, three times each, renting and returning its spares the whole
        // time: a workspace handed to two runs at once would mix their passes and change the weights.
        float[] series = [.. Enumerable.Range(0, 300).Select(i => MathF.Sin(0.2f * i))];
        var data = WindowedSeries.Univariate(series, window: 16);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 32, ValidationFraction = 0, Shuffle = true, Seed = 9, MaxDegreeOfParallelism = 1 };
        RecurrentNetwork network = RecurrentNetwork.CreateGru(1, 12, layers: 2, outputSize: 1);
        float[] initial = network.CreateParameters(seed: 4);
        int[] expected = Bits(Train(RecurrentNetwork.CreateGru(1, 12, layers: 2, outputSize: 1), initial, data, options));

        int[][] results = new int[12][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            for (int run = 0; run < 3; run++)
            {
                results[(thread * 3) + run] = Bits(Train(network, initial, data, options));
            }
        });

        Assert.All(results, actual => Assert.Equal(expected, actual));
    }

    [Fact]
    public void AWorkspaceOfAnotherNetworkIsRefused()
    {
        IReusesWorkspaces network = RecurrentNetwork.CreateGru(1, 8, layers: 1, outputSize: 1);
        NetworkWorkspace foreign = RecurrentNetwork.CreateGru(1, 8, layers: 1, outputSize: 1).CreateWorkspace();
        Assert.Throws<ArgumentException>(() => network.ReturnWorkspace(foreign));
    }

    private static float[] Train(RecurrentNetwork network, float[] initial, WindowedSeries data, TrainerOptions options) =>
        new Trainer(options).Fit(network, initial, data).Parameters.ToArray();

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
