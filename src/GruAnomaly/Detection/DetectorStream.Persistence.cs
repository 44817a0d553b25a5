using GruAnomaly.Persistence;

namespace GruAnomaly.Detection;

/// <summary>Saving a stream's state and continuing from it (docs/model-format.md, stream-state files).</summary>
public sealed partial class DetectorStream
{
    private const int FingerprintBytes = 32;

    /// <summary>
    /// Writes everything this stream carries from point to point (the inputs it still reads, the scorer's, the
    /// smoothing's, the normalization's and the threshold's states, the last alarm and timestamp), with the fingerprint
    /// of its detector. <see cref="FittedAnomalyDetector.RestoreStream"/> on the same detector continues from it bit for bit.
    /// </summary>
    /// <remarks>The detector is not in the file: save it once with <see cref="FittedAnomalyDetector.Save(Stream)"/>, and the streams' states as often as needed.</remarks>
    /// <param name="stream">A writable stream; the state is written at its position, and the stream is left open.</param>
    /// <exception cref="ArgumentException">The stream cannot be written.</exception>
    /// <exception cref="NotSupportedException">The detector cannot be saved (a part of it is a type of your own).</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        byte[] file = ModelFile.Write(FileKind.StreamState, w =>
        {
            w.Section("DETR", s =>
            {
                s.Bytes(_detector.Fingerprint);
                s.String(_detector.Description);
            });
            w.Section("STRM", WriteState);
        });
        stream.Write(file);
    }

    /// <summary>Reads a saved state into this stream, fresh from <see cref="FittedAnomalyDetector.CreateStream"/>.</summary>
    internal void Restore(Stream stream)
    {
        ModelFile.Sections sections = ModelFile.Read(stream, FileKind.StreamState, DetectorLoadOptions.DefaultMaximumBytes);
        FieldReader detector = sections.Next("DETR");
        byte[] fingerprint = detector.Bytes("detector fingerprint", FingerprintBytes);
        string description = detector.String("detector description");
        detector.End();
        if (!fingerprint.AsSpan().SequenceEqual(_detector.Fingerprint))
        {
            throw new InvalidDataException(
                $"The stream state was saved from a different detector ({description}; fingerprint {Convert.ToHexStringLower(fingerprint)[..16]}…) " +
                $"than the one restoring it ({_detector.Description}; fingerprint {Convert.ToHexStringLower(_detector.Fingerprint)[..16]}…). " +
                "Restore it with the detector whose stream saved it.");
        }

        FieldReader state = sections.Next("STRM");
        ReadState(state);
        state.End();
        sections.End();
    }

    private void WriteState(FieldWriter w)
    {
        _history.WriteState(w);
        w.Floats(_lastObserved);
        w.Floats(_expected);
        w.Doubles(_contributions);
        w.F64(_smoothed);
        w.F64(_inForce);
        w.I64(_lastAlarm);
        w.Bool(_lastTimestamp.HasValue);
        if (_lastTimestamp is DateTimeOffset timestamp)
        {
            w.I64(timestamp.Ticks);
            w.I32((int)timestamp.Offset.TotalMinutes);
        }

        _scorer.WriteState(w);
        _normalization.WriteState(w);
        _threshold.WriteState(w);
    }

    private void ReadState(FieldReader r)
    {
        _history.ReadState(r);
        int features = Features;
        r.Floats("last observed values", features, "one per feature").CopyTo(_lastObserved, 0);
        r.Floats("expected values", features, "one per feature").CopyTo(_expected, 0);
        r.Doubles("contributions", features, "one per feature").CopyTo(_contributions, 0);
        _smoothed = r.F64("smoothed score");
        _inForce = r.F64("threshold in force");
        _lastAlarm = r.I64("last alarm", Alarms.NoAlarmYet, Math.Max(Alarms.NoAlarmYet, _history.Time - 1));
        _lastTimestamp = null;
        if (r.Bool("timestamp present"))
        {
            long ticks = r.I64("timestamp ticks");
            int offset = r.I32("timestamp offset minutes");
            _lastTimestamp = r.Construct("timestamp", () => new DateTimeOffset(ticks, TimeSpan.FromMinutes(offset)));
        }

        if (_lastTimestamp.HasValue && _history.Time == 0)
        {
            throw r.Invalid("timestamp", "is set before any point was observed");
        }

        _scorer.ReadState(r, _history);
        _normalization.ReadState(r);
        _threshold.ReadState(r);
    }
}
