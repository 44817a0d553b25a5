using System.Globalization;

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>Adds a points/s column to benchmarks whose operation (OperationsPerInvoke) is one streamed point.</summary>
public sealed class PointsPerSecondConfig : ManualConfig
{
    public PointsPerSecondConfig()
    {
        AddColumn(new PointsPerSecondColumn());
    }

    private sealed class PointsPerSecondColumn : IColumn
    {
        public string Id => nameof(PointsPerSecondColumn);

        public string ColumnName => "Points/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Streamed points per second: 1 / mean time per point";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNanoseconds is > 0 ? (1e9 / meanNanoseconds.Value).ToString("N0", CultureInfo.InvariantCulture) : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
