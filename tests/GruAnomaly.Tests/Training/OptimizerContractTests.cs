using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Tests.Training;

/// <summary>Behaviour every optimizer state shares: snapshots, validation, determinism and no allocation per step.</summary>
public sealed class OptimizerContractTests
{
    public static TheoryData<string> OptimizerNames => ["sgd", "sgd-momentum", "sgd-nesterov-decay", "adam", "adam-decay", "adamw"];

    private static IOptimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(),
        "sgd-momentum" => new Sgd(momentum: 0.9f),
        "sgd-nesterov-decay" => new Sgd(momentum: 0.8f, weightDecay: 0.01f, nesterov: true),
        "adam" => new Adam(),
        "adam-decay" => new Adam(weightDecay: 0.05f),
        "adamw" => new AdamW(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static float[] Values(int length, int seed)
    {
        Random random = new(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Restoring_a_snapshot_replays_the_remaining_steps_bit_for_bit(string name)
    {
        const int Count = 37;
        IOptimizer optimizer = Create(name);
        IOptimizerState state = optimizer.CreateState(Count);
        float[] parameters = Values(Count, 1);
        for (int t = 0; t < 3; t++)
        {
            state.Step(parameters, Values(Count, 10 + t), 0.01f);
        }

        OptimizerSnapshot snapshot = state.Snapshot();
        float[] checkpoint = (float[])parameters.Clone();
        for (int t = 3; t < 6; t++)
        {
            state.Step(parameters, Values(Count, 10 + t), 0.01f);
        }

        IOptimizerState resumed = optimizer.CreateState(Count);
        resumed.Restore(snapshot);
        Assert.Equal(3, resumed.StepCount);
        for (int t = 3; t < 6; t++)
        {
            resumed.Step(checkpoint, Values(Count, 10 + t), 0.01f);
        }

        Assert.Equal(parameters, checkpoint);
        Assert.Equal(6, resumed.StepCount);

        // Restoring into the live state rewinds it too.
        state.Restore(snapshot);
        Assert.Equal(3, state.StepCount);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Snapshots_share_no_memory_with_the_live_state(string name)
    {
        IOptimizerState state = Create(name).CreateState(4);
        float[] parameters = [1f, 2f, 3f, 4f];
        state.Step(parameters, [0.1f, 0.2f, 0.3f, 0.4f], 0.1f);
        OptimizerSnapshot snapshot = state.Snapshot();
        float[][] copies = snapshot.Buffers.Select(b => (float[])b.Clone()).ToArray();

        state.Step(parameters, [0.5f, 0.5f, 0.5f, 0.5f], 0.1f);
        Assert.Equal(copies, snapshot.Buffers);

        state.Restore(snapshot);
        foreach (float[] buffer in snapshot.Buffers)
        {
            Array.Fill(buffer, 99f);
        }

        Assert.Equal(copies, state.Snapshot().Buffers);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Restore_rejects_snapshots_that_do_not_fit(string name)
    {
        IOptimizer optimizer = Create(name);
        IOptimizerState state = optimizer.CreateState(3);
        OptimizerSnapshot good = state.Snapshot();

        Assert.Throws<ArgumentNullException>(() => state.Restore(null!));
        Assert.Throws<ArgumentException>(() => state.Restore(good with { StepCount = -1 }));
        Assert.Throws<ArgumentException>(() => state.Restore(good with { Buffers = [.. good.Buffers, new float[3]] }));
        // Plain SGD has no buffers, so a snapshot of it carries no length to check.
        if (good.Buffers.Count > 0)
        {
            ArgumentException wrongLength = Assert.Throws<ArgumentException>(() => state.Restore(optimizer.CreateState(2).Snapshot()));
            Assert.Contains("3", wrongLength.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_validates_lengths_and_learning_rate(string name)
    {
        IOptimizerState state = Create(name).CreateState(3);
        float[] parameters = new float[3];
        float[] gradients = new float[3];

        ArgumentException shortParameters = Assert.Throws<ArgumentException>(() => state.Step(new float[2], gradients, 0.1f));
        Assert.Equal("parameters", shortParameters.ParamName);
        Assert.Contains("3", shortParameters.Message, StringComparison.Ordinal);
        Assert.Contains("2", shortParameters.Message, StringComparison.Ordinal);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => state.Step(parameters, new float[4], 0.1f)).ParamName);
        foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => state.Step(parameters, gradients, bad)).ParamName);
        }

        Assert.Equal(0, state.StepCount);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Same_inputs_give_bit_identical_parameters(string name)
    {
        const int Count = 1000;
        float[] first = Values(Count, 3);
        float[] second = (float[])first.Clone();
        IOptimizerState a = Create(name).CreateState(Count);
        IOptimizerState b = Create(name).CreateState(Count);
        for (int t = 0; t < 5; t++)
        {
            float[] gradients = Values(Count, 100 + t);
            a.Step(first, gradients, 0.01f);
            b.Step(second, gradients, 0.01f);
        }

        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Steps_do_not_allocate(string name)
    {
        const int Count = 1031;
        IOptimizerState state = Create(name).CreateState(Count);
        float[] parameters = Values(Count, 4);
        float[] gradients = Values(Count, 5);
        for (int t = 0; t < 5; t++)
        {
            state.Step(parameters, gradients, 0.001f);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 20; t++)
        {
            state.Step(parameters, gradients, 0.001f);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void States_are_independent_and_handle_an_empty_vector(string name)
    {
        IOptimizer optimizer = Create(name);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.CreateState(-1));

        IOptimizerState empty = optimizer.CreateState(0);
        empty.Step([], [], 0.1f);
        Assert.Equal(1, empty.StepCount);

        IOptimizerState first = optimizer.CreateState(2);
        IOptimizerState second = optimizer.CreateState(2);
        first.Step(new float[2], [1f, 1f], 0.1f);
        Assert.Equal(0, second.StepCount);
        Assert.All(second.Snapshot().Buffers, buffer => Assert.All(buffer, v => Assert.Equal(0f, v)));
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Non_finite_gradients_flow_through_without_throwing(string name)
    {
        // The trainer detects non-finite losses and norms; the optimizer neither masks nor rejects them.
        IOptimizerState state = Create(name).CreateState(2);
        float[] parameters = [1f, 1f];
        state.Step(parameters, [float.NaN, 0.5f], 0.1f);
        Assert.True(float.IsNaN(parameters[0]));
        Assert.True(float.IsFinite(parameters[1]));
    }
}