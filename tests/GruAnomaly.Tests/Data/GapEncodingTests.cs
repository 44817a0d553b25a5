using GruAnomaly.Data;

namespace GruAnomaly.Tests.Data;

/// <summary>The GRU-D rows [x | m | δ | x_last] a detector builds from a series, against values worked out by hand.</summary>
public class GapEncodingTests
{
    private static readonly float N = float.NaN;

    [Fact]
    public void Delta_follows_the_papers_recurrence_over_irregular_timestamps()
    {
        // One feature observed at steps 0, 3 and 4; timestamps 0, 1, 3, 4, 8 minutes; unit 1 minute.
        float[] observed = [5f, N, N, 7f, 8f];
        float[] filled = [5f, 5f, 5f, 7f, 8f];
        var start = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset[] stamps = [start, start.AddMinutes(1), start.AddMinutes(3), start.AddMinutes(4), start.AddMinutes(8)];

        float[] rows = new GapEncoding(1, TimeSpan.FromMinutes(1)).Encode(filled, observed, stamps);

        // δ_0 = 0; δ_1 = 1 (observed at 0); δ_2 = 2 + 1 = 3; δ_3 = 1 + 3 = 4; δ_4 = 4 (observed at 3).
        Assert.Equal<float>(
        [
            5f, 1f, 0f, 5f,
            5f, 0f, 1f, 5f,
            5f, 0f, 3f, 5f,
            7f, 1f, 4f, 7f,
            8f, 1f, 4f, 8f,
        ], rows);
    }

    [Fact]
    public void Without_timestamps_or_a_unit_delta_counts_steps_per_feature()
    {
        float[] observed = [1f, 2f, N, 3f, N, N, 4f, 5f];
        float[] filled = [1f, 2f, 1f, 3f, 1f, 3f, 4f, 5f];

        float[] steps = new GapEncoding(2, null).Encode(filled, observed, null);
        var start = DateTimeOffset.UnixEpoch;
        float[] unitless = new GapEncoding(2, null).Encode(filled, observed, [start, start.AddHours(5), start.AddHours(6), start.AddHours(9)]);

        // Feature 0 is missing at steps 1 and 2; feature 1 at step 2.
        Assert.Equal<float>([0f, 0f, 1f, 1f, 2f, 1f, 3f, 2f], [.. Enumerable.Range(0, 4).SelectMany(t => steps.Skip((t * 8) + 4).Take(2))]);
        Assert.Equal(steps, unitless);
        Assert.Equal(TimeSpan.FromHours(1), GapEncoding.UnitOf([start, start.AddHours(5), start.AddHours(6), start.AddHours(7)]));
        Assert.Equal<float>([2.5f, 10f / 3f], GapEncoding.Means(observed, 2)); // feature 1: (2 + 3 + 5) / 3
    }
}
