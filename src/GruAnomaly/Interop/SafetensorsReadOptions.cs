namespace GruAnomaly.Interop;

/// <summary>Limits that <see cref="Safetensors.Read"/> enforces before it allocates anything for an untrusted file.</summary>
public sealed class SafetensorsReadOptions
{
    /// <summary>The largest JSON header accepted, in bytes; a larger stated length is refused before it is read.</summary>
    /// <value>The default value is 100,000,000 (the limit of the format's reference implementation).</value>
    public long MaxHeaderBytes { get; set; } = 100_000_000;

    /// <summary>
    /// The most bytes read from a stream that cannot seek (and so cannot state its length): such a stream is buffered
    /// before its header is trusted, so that a false length can never make the reader allocate more than the stream holds.
    /// </summary>
    /// <value>The default value is <see cref="Array.MaxLength"/>.</value>
    public long MaxUnseekableBytes { get; set; } = Array.MaxLength;
}
