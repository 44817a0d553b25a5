namespace GruAnomaly.Evaluation;

/// <summary>
/// Scores of anomaly detectors against labelled series, for tuning and comparing detectors.
/// </summary>
/// <remarks>
/// <para>
/// Every method takes the labels first (true = anomalous point) and then, as in scikit-learn, either the detector's
/// flags (true = flagged as anomalous) or its scores (higher = more anomalous), one per point, of equal length;
/// <see cref="EarlyAlarm"/> takes the time steps of its alarms instead. Inputs must not be empty and scores must be finite.
/// </para>
/// <para>
/// Which score to report: <see cref="PointWise"/> is strict and simple; <see cref="RangeBased"/> treats each run of
/// anomalous points as one event and can reward early detection; <see cref="PointAdjusted"/> is the customary but
/// optimistic protocol of many papers; <see cref="PointAdjustedAtK"/> and <see cref="PointAdjustedAtKCurve"/> make
/// it less so; <see cref="EarlyAlarm"/> rewards alarms by how early in an event they come (NAB);
/// <see cref="RocAuc"/> and <see cref="AveragePrecision"/> judge scores before any threshold is chosen.
/// All methods are pure and thread-safe.
/// </para>
/// </remarks>
public static partial class AnomalyMetrics;
