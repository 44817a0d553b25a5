using System.Diagnostics;
using System.Globalization;
using GruAnomaly.Data;
using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Reliability;

/// <summary>
/// What the determinism promise of <see cref="TrainerOptions.Seed"/> covers: bit-identical weights for the same seed, data,
/// options and machine (SIMD level); across SIMD levels only agreement within a tolerance.
/// </summary>
public sealed class DeterminismTests(ITestOutputHelper output)
{
    /// <summary>Set in a child process: where <see cref="WritesItsWeightsForAParentProcess"/> writes.</summary>
    private const string WeightsFileVariable = "GRUANOMALY_TEST_WEIGHTS_FILE";

    /// <summary>
    /// The largest absolute difference allowed between weights trained at two SIMD levels: rounding differs (fused
    /// multiply-add, summation order of wider vectors) by about 1e-7 per operation, and training amplifies it. Measured
    /// on this 3-epoch run of a 657-weight GRU: 1.8e-7 (Vector512 against Vector128) and 4.6e-7 (against scalar).
    /// </summary>
    internal const float CrossLevelTolerance = 1e-5f;

    private static float[] Train()
    {
        var random = new Random(5);
        float[] series = [.. Enumerable.Range(0, 400).Select(t => (float)(Math.Sin(2 * Math.PI * t / 25) + (0.1 * (random.NextDouble() - 0.5))))];
        var data = WindowedSeries.Univariate(series, window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, layers: 2, outputSize: 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 32, LearningRate = 1e-2f, Seed = 9 });
        return trainer.Fit(network, network.CreateParameters(3), data).Parameters.ToArray();
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalWeightsTwiceInOneProcess()
    {
        float[] first = Train(), second = Train();
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Does nothing in a normal run; in a child process started by the test below, writes its weights and SIMD level.</summary>
    [Fact]
    public void WritesItsWeightsForAParentProcess()
    {
        string? file = Environment.GetEnvironmentVariable(WeightsFileVariable);
        if (file is null)
        {
            return;
        }

        File.WriteAllLines(file, [SimdLevels.Best.ToString(), .. Train().Select(w => w.ToString("R", CultureInfo.InvariantCulture))]);
    }

    // DOTNET_EnableAVX=0 leaves 128-bit vectors (no AVX, AVX2, FMA or AVX-512); DOTNET_EnableHWIntrinsic=0 leaves scalar code.
    [Theory]
    [InlineData("DOTNET_EnableAVX")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    public async Task AnotherSimdLevelAgreesWithinTheStatedTolerance(string switchOff)
    {
        string file = Path.Combine(Path.GetTempPath(), $"gruanomaly-weights-{Environment.ProcessId}-{switchOff}.txt");
        string tests = typeof(DeterminismTests).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tests);
        start.ArgumentList.Add("-method");
        start.ArgumentList.Add($"{typeof(DeterminismTests).FullName}.{nameof(WritesItsWeightsForAParentProcess)}");
        start.Environment[WeightsFileVariable] = file;
        start.Environment[switchOff] = "0";
        try
        {
            using Process process = Process.Start(start)!;
            Task<string> childOutput = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            Task<string> childError = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0 && File.Exists(file), $"the child process failed ({process.ExitCode}): {await childOutput} {await childError}");

            string[] lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);
            float[] here = Train();
            float[] there = [.. lines.Skip(1).Select(line => float.Parse(line, CultureInfo.InvariantCulture))];
            Assert.Equal(here.Length, there.Length);
            float largest = here.Zip(there, (a, b) => Math.Abs(a - b)).Max();
            int identical = here.Zip(there, (a, b) => a == b ? 1 : 0).Sum();
            output.WriteLine($"{SimdLevels.Best} here, {lines[0]} with {switchOff}=0: largest weight difference {largest:G3}, {identical}/{here.Length} identical");
            if (SimdLevels.Best.ToString() == lines[0])
            {
                Assert.Skip($"{switchOff}=0 leaves this machine at its own SIMD level ({lines[0]}).");
            }

            Assert.True(largest <= CrossLevelTolerance, $"weights differ by up to {largest} between {SimdLevels.Best} and {lines[0]}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
