using GruAnomaly.Losses;

namespace GruAnomaly.Tests.Losses;

/// <summary>Behaviour every loss shares: gradients, masking, layouts, validation and determinism.</summary>
public sealed class LossContractTests
{
    public static TheoryData<string> LossNames => ["mse", "mae", "huber", "huber-0.3", "gaussian"];

    private static ILoss Create(string name) => name switch
    {
        "mse" => Loss.Mse,
        "mae" => Loss.Mae,
        "huber" => Loss.Huber(),
        "huber-0.3" => Loss.Huber(0.3f),
        "gaussian" => Loss.GaussianNll,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Random predictions and targets with a few missing targets, laid out for the loss.</summary>
    private static (float[] Predictions, float[] Targets) Batch(ILoss loss, int rows, int width, int seed, bool withMissing)
    {
        float[] targets = LossReference.RandomValues(rows * width, seed);
        float[] predictions = LossReference.RandomValues(rows * width * loss.PredictionsPerTarget, seed + 1);
        if (withMissing)
        {
            for (int i = 1; i < targets.Length; i += 4)
            {
                targets[i] = float.NaN;
            }
        }

        return (predictions, targets);
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Gradient_matches_double_precision_finite_differences_of_the_formula(string name)
    {
        ILoss loss = Create(name);
        (float[] predictions, float[] targets) = Batch(loss, rows: 4, width: 3, seed: 11, withMissing: true);
        float[] gradient = new float[predictions.Length];
        loss.Evaluate(predictions, targets, 3, gradient);

        double[] expected = LossReference.FiniteDifferenceGradient(loss, predictions, targets, 3);
        for (int i = 0; i < gradient.Length; i++)
        {
            LossReference.AssertClose(expected[i], gradient[i], relative: 1e-5, absolute: 1e-6, $"{name} gradient[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Gradient_matches_finite_differences_of_the_implementation(string name)
    {
        ILoss loss = Create(name);
        (float[] predictions, float[] targets) = Batch(loss, rows: 3, width: 2, seed: 5, withMissing: true);
        float[] gradient = new float[predictions.Length];
        loss.Evaluate(predictions, targets, 2, gradient);

        // The per-value losses are rounded to float before summation, about 6e-8 relative; over a step of 2/1024
        // that leaves an error near 1e-4 relative to the loss, far below any gradient mistake worth catching.
        double[] expected = LossReference.FiniteDifferenceOfImplementation(loss, predictions, targets, 2);
        for (int i = 0; i < gradient.Length; i++)
        {
            LossReference.AssertClose(expected[i], gradient[i], relative: 2e-3, absolute: 5e-4, $"{name} gradient[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Sum_and_point_losses_match_the_double_precision_formula_for_many_lengths(string name)
    {
        ILoss loss = Create(name);
        foreach (int rows in new[] { 0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100 })
        {
            (float[] predictions, float[] targets) = Batch(loss, rows, width: 1, seed: rows, withMissing: rows % 2 == 1);
            float[] gradient = new float[predictions.Length];
            LossValue value = loss.Evaluate(predictions, targets, 1, gradient);

            double[] p = Array.ConvertAll(predictions, v => (double)v);
            double[] t = Array.ConvertAll(targets, v => (double)v);
            int observed = targets.Count(v => !float.IsNaN(v));
            Assert.Equal(observed, value.Count);
            LossReference.AssertClose(LossReference.Mean(loss, p, t, 1), value.Mean, 1e-6, 1e-7, $"{name} mean, {rows} rows");

            float[] pointLosses = new float[targets.Length];
            loss.PointLosses(predictions, targets, 1, pointLosses);
            double pointSum = 0;
            for (int i = 0; i < targets.Length; i++)
            {
                if (float.IsNaN(targets[i]))
                {
                    Assert.True(float.IsNaN(pointLosses[i]), $"{name}: point loss {i} of a missing target must be NaN");
                    continue;
                }

                LossReference.AssertClose(LossReference.PointLoss(loss, p, t[i], 1, i, 0), pointLosses[i], 1e-6, 1e-7, $"{name} point loss {i}");
                pointSum += pointLosses[i];
            }

            Assert.Equal(pointSum, value.Sum, 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Missing_targets_contribute_nothing_to_sum_count_or_gradient(string name)
    {
        ILoss loss = Create(name);
        int k = loss.PredictionsPerTarget;

        // Rows 1 and 3 are missing; their predictions are deliberately non-finite to prove they are never read into the result.
        float[] targets = [0.5f, float.NaN, -1f, float.NaN, 2f];
        float[] predictions = k == 1
            ? [0.25f, float.NaN, 0.5f, float.PositiveInfinity, 1.5f]
            : [0.25f, 0.1f, float.NaN, float.NaN, 0.5f, -0.3f, float.PositiveInfinity, 1e30f, 1.5f, 0.7f];
        float[] gradient = Enumerable.Repeat(123f, predictions.Length).ToArray();
        LossValue withMissing = loss.Evaluate(predictions, targets, 1, gradient);

        float[] observedTargets = [0.5f, -1f, 2f];
        float[] observedPredictions = k == 1
            ? [0.25f, 0.5f, 1.5f]
            : [0.25f, 0.1f, 0.5f, -0.3f, 1.5f, 0.7f];
        float[] observedGradient = new float[observedPredictions.Length];
        LossValue observedOnly = loss.Evaluate(observedPredictions, observedTargets, 1, observedGradient);

        Assert.Equal(observedOnly, withMissing);
        Assert.Equal(3, withMissing.Count);
        int[] keptRows = [0, 2, 4];
        for (int r = 0; r < keptRows.Length; r++)
        {
            for (int c = 0; c < k; c++)
            {
                Assert.Equal(observedGradient[(r * k) + c], gradient[(keptRows[r] * k) + c]);
            }
        }

        foreach (int missingRow in new[] { 1, 3 })
        {
            for (int c = 0; c < k; c++)
            {
                Assert.Equal(0f, gradient[(missingRow * k) + c]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void All_missing_gives_zero_sum_zero_count_and_a_cleared_gradient(string name)
    {
        ILoss loss = Create(name);
        float[] targets = [float.NaN, float.NaN, float.NaN, float.NaN];
        float[] predictions = LossReference.RandomValues(targets.Length * loss.PredictionsPerTarget, 3);
        float[] gradient = Enumerable.Repeat(float.NaN, predictions.Length).ToArray();

        LossValue value = loss.Evaluate(predictions, targets, 2, gradient);

        Assert.Equal(new LossValue(0, 0), value);
        Assert.Equal(0, value.Mean);
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Empty_batch_gives_zero(string name)
    {
        ILoss loss = Create(name);
        Assert.Equal(default, loss.Evaluate([], [], 3, []));
        loss.PointLosses([], [], 3, []);
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Non_finite_predictions_make_the_loss_non_finite_without_throwing(string name)
    {
        ILoss loss = Create(name);
        float[] targets = [1f, 2f];
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            float[] predictions = new float[targets.Length * loss.PredictionsPerTarget];
            predictions[0] = bad;
            float[] gradient = new float[predictions.Length];
            LossValue value = loss.Evaluate(predictions, targets, 1, gradient);
            Assert.False(double.IsFinite(value.Sum), $"{name} with prediction {bad} gave {value.Sum}");
            Assert.Equal(2, value.Count);
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Same_inputs_give_bit_identical_results(string name)
    {
        ILoss loss = Create(name);
        (float[] predictions, float[] targets) = Batch(loss, rows: 37, width: 3, seed: 21, withMissing: true);
        float[] first = new float[predictions.Length];
        float[] second = new float[predictions.Length];
        float[] firstPoints = new float[targets.Length];
        float[] secondPoints = new float[targets.Length];

        LossValue a = loss.Evaluate(predictions, targets, 3, first);
        LossValue b = loss.Evaluate(predictions, targets, 3, second);
        loss.PointLosses(predictions, targets, 3, firstPoints);
        loss.PointLosses(predictions, targets, 3, secondPoints);

        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Sum), BitConverter.DoubleToInt64Bits(b.Sum));
        Assert.Equal(first, second);
        Assert.Equal(firstPoints, secondPoints);
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Target_width_must_be_positive(string name)
    {
        ILoss loss = Create(name);
        float[] predictions = new float[2 * loss.PredictionsPerTarget];
        float[] targets = new float[2];
        Assert.Equal("targetWidth", Assert.Throws<ArgumentOutOfRangeException>(() => loss.Evaluate(predictions, targets, 0, new float[predictions.Length])).ParamName);
        Assert.Equal("targetWidth", Assert.Throws<ArgumentOutOfRangeException>(() => loss.PointLosses(predictions, targets, -1, new float[2])).ParamName);
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Inconsistent_lengths_are_rejected_with_expected_and_actual_lengths(string name)
    {
        ILoss loss = Create(name);
        int k = loss.PredictionsPerTarget;
        float[] targets = new float[6];
        float[] predictions = new float[6 * k];

        ArgumentException ragged = Assert.Throws<ArgumentException>(() => loss.Evaluate(new float[5 * k], new float[5], 2, new float[5 * k]));
        Assert.Equal("targets", ragged.ParamName);
        Assert.Contains("5", ragged.Message, StringComparison.Ordinal);

        ArgumentException shortPredictions = Assert.Throws<ArgumentException>(() => loss.Evaluate(new float[(6 * k) - 1], targets, 2, new float[(6 * k) - 1]));
        Assert.Equal("predictions", shortPredictions.ParamName);
        Assert.Contains((6 * k).ToString(System.Globalization.CultureInfo.InvariantCulture), shortPredictions.Message, StringComparison.Ordinal);
        Assert.Contains(((6 * k) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), shortPredictions.Message, StringComparison.Ordinal);

        ArgumentException shortGradient = Assert.Throws<ArgumentException>(() => loss.Evaluate(predictions, targets, 2, new float[(6 * k) + 1]));
        Assert.Equal("predictionGradient", shortGradient.ParamName);

        ArgumentException shortLosses = Assert.Throws<ArgumentException>(() => loss.PointLosses(predictions, targets, 2, new float[5]));
        Assert.Equal("losses", shortLosses.ParamName);
        Assert.Contains("6", shortLosses.Message, StringComparison.Ordinal);

        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => loss.PointLosses(new float[(6 * k) + 1], targets, 2, new float[6])).ParamName);
    }

    [Fact]
    public void Factory_returns_the_documented_losses()
    {
        Assert.IsType<MeanSquaredErrorLoss>(Loss.Mse);
        Assert.IsType<MeanAbsoluteErrorLoss>(Loss.Mae);
        Assert.IsType<GaussianNegativeLogLikelihoodLoss>(Loss.GaussianNll);
        Assert.Same(Loss.Mse, Loss.Mse);
        Assert.Equal(0.5f, Assert.IsType<HuberLoss>(Loss.Huber(0.5f)).Delta);
        Assert.Equal(1f, Assert.IsType<HuberLoss>(Loss.Huber()).Delta);

        Assert.Equal(1, Loss.Mse.PredictionsPerTarget);
        Assert.Equal(1, Loss.Mae.PredictionsPerTarget);
        Assert.Equal(1, Loss.Huber().PredictionsPerTarget);
        Assert.Equal(2, Loss.GaussianNll.PredictionsPerTarget);
        string[] names = [Loss.Mse.Name, Loss.Mae.Name, Loss.Huber().Name, Loss.GaussianNll.Name];
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void LossValue_mean_is_sum_over_count_and_zero_when_empty()
    {
        Assert.Equal(2.5, new LossValue(10, 4).Mean);
        Assert.Equal(0, new LossValue(0, 0).Mean);
    }
}