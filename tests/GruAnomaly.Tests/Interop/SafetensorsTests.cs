using System.Buffers.Binary;
using System.Text;
using GruAnomaly.Interop;

namespace GruAnomaly.Tests.Interop;

public sealed class SafetensorsTests(ITestOutputHelper output)
{
    [Fact]
    public void Written_tensors_and_metadata_read_back_bit_for_bit()
    {
        var tensors = new Dictionary<string, FloatTensor>
        {
            ["b.matrix"] = new([2, 3], [1f, -2.5f, float.Epsilon, 3e38f, -0f, 0.1f]),
            ["a.scalar"] = new([], [42f]),
            ["c.empty"] = new([0, 4], []),
        };

        byte[] bytes = Write(tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" });
        SafetensorsFile file = Safetensors.Read(new MemoryStream(bytes));

        Assert.Equal(tensors.Keys.Order(), file.Tensors.Keys.Order());
        foreach ((string name, FloatTensor expected) in tensors)
        {
            Assert.Equal(expected.Shape, file.Tensors[name].Shape);
            Assert.Equal(Bits(expected.Values.Span), Bits(file.Tensors[name].Values.Span));
            Assert.Equal(SafetensorsDataType.F32, file.StoredTypes[name]);
        }

        Assert.Equal("ünïcode \"quoted\"", file.Metadata["note"]);
        Assert.Equal(0, (8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes)) % 8);
    }

    [Fact]
    public void The_same_tensors_give_the_same_bytes_in_any_order()
    {
        var a = new KeyValuePair<string, FloatTensor>("a", new FloatTensor([1], [1f]));
        var b = new KeyValuePair<string, FloatTensor>("b", new FloatTensor([2], [2f, 3f]));

        Assert.Equal(Write([a, b]), Write([b, a]));
        Assert.StartsWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":", Header(Write([b, a])), StringComparison.Ordinal);
    }

    [Fact]
    public void F64_F16_and_BF16_tensors_are_read_as_floats()
    {
        byte[] f64 = new byte[16], f16 = new byte[4], bf16 = new byte[4];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -2.25e10);
        BinaryPrimitives.WriteHalfLittleEndian(f16, (Half)0.333f);
        BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2), (Half)(-65504f));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, 0x3F80);   // 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), 0xC020);   // -2.5
        string header = """
            {"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},
             "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[20,24]}}
            """;

        SafetensorsFile file = Safetensors.Read(new MemoryStream(Craft(header, [.. f64, .. f16, .. bf16])));

        Assert.Equal([1.5f, -2.25e10f], file.Tensors["d"].Values.ToArray());
        Assert.Equal([(float)(Half)0.333f, -65504f], file.Tensors["h"].Values.ToArray());
        Assert.Equal([1f, -2.5f], file.Tensors["b"].Values.ToArray());
        Assert.Equal(SafetensorsDataType.BF16, file.StoredTypes["b"]);
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_read_whole_up_to_its_limit()
    {
        byte[] bytes = Write(new Dictionary<string, FloatTensor> { ["w"] = new([3], [1f, 2f, 3f]) });

        SafetensorsFile file = Safetensors.Read(new ForwardOnlyStream(bytes));
        Assert.Equal([1f, 2f, 3f], file.Tensors["w"].Values.ToArray());

        var tooLong = Assert.Throws<InvalidDataException>(() =>
            Safetensors.Read(new ForwardOnlyStream(bytes), new SafetensorsReadOptions { MaxUnseekableBytes = bytes.Length - 1 }));
        Assert.Contains("MaxUnseekableBytes", tooLong.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> MalformedFiles => new()
    {
        { "empty", [], "has 0 bytes" },
        { "short prefix", [1, 0, 0, 0, 0], "has 5 bytes" },
        { "absurd header length", Prefix(ulong.MaxValue, []), "more than the 100000000 accepted" },
        { "header length past the end", Prefix(1000, Encoding.UTF8.GetBytes("{}        ")), "only 10 bytes follow" },
        { "header length 1", Prefix(1, [(byte)'{']), "at least 2 bytes" },
        { "header not UTF-8", Prefix(4, [(byte)'{', 0xFF, 0xFE, (byte)'}']), "not valid UTF-8" },
        { "malformed JSON", Craft("{\"a\":", []), "not valid JSON" },
        { "JSON nested too deep", Craft($"{{\"a\":{{\"x\":{new string('[', 40)}{new string(']', 40)}}}}}", []), "not valid JSON" },
        { "root is an array", Craft("[]", []), "expected an object" },
        { "name twice", Craft("""{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}""", new byte[8]), "names 'a' twice" },
        { "name twice, once escaped", Craft("""{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"\u0061":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}""", new byte[8]), "names 'a' twice" },
        { "escaped lone surrogate", Craft("""{"\ud800":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}""", new byte[4]), "not valid text" },
        { "entry not an object", Craft("""{"a":[1]}""", []), "expected an object with dtype" },
        { "no dtype", Craft("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "has no dtype" },
        { "dtype twice", Craft("""{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "gives dtype twice" },
        { "no shape", Craft("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]), "has no shape" },
        { "no offsets", Craft("""{"a":{"dtype":"F32","shape":[1]}}""", new byte[4]), "has no data_offsets" },
        { "unknown dtype", Craft("""{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "unknown dtype 'Q7'" },
        { "integer dtype", Craft("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", new byte[8]), "has dtype I64; only F32, F64, F16 and BF16" },
        { "dtype not a string", Craft("""{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "expected a string" },
        { "negative dimension", Craft("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4]), "expected a non-negative integer" },
        { "fractional dimension", Craft("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", new byte[4]), "expected a non-negative integer" },
        { "shape not an array", Craft("""{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}""", new byte[4]), "expected an array of non-negative integers" },
        { "three offsets", Craft("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", new byte[8]), "expected [begin, end]" },
        { "negative offset", Craft("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", new byte[4]), "two non-negative integers" },
        { "begins after it ends", Craft("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", new byte[4]), "begins after it ends" },
        { "size does not match the range", Craft("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", new byte[20]), "(6 F32 elements, 24 bytes) but its data_offsets [0, 20] span 20 bytes" },
        { "too many elements", Craft("""{"a":{"dtype":"F32","shape":[2147483647,2147483647],"data_offsets":[0,0]}}""", []), "more than one array can hold" },
        { "offsets past the data", Craft("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]), "ends at byte 16 of the data, which has 8 bytes" },
        { "overlap", Craft("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]), "'a' [0, 8] and 'b' [4, 12] overlap" },
        { "gap", Craft("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}""", new byte[16]), "Bytes [8, 12) of the data belong to no tensor" },
        { "uncovered tail", Craft("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[12]), "cover only the first 8" },
        { "metadata not an object", Craft("""{"__metadata__":"x"}""", []), "expected an object of strings" },
        { "metadata value not a string", Craft("""{"__metadata__":{"epoch":3}}""", []), "metadata values must be strings" },
        { "metadata twice", Craft("""{"__metadata__":{},"__metadata__":{}}""", []), "names '__metadata__' twice" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void A_malformed_file_is_refused_with_what_is_wrong(string description, byte[] file, string expected)
    {
        var exception = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file)));

        output.WriteLine($"{description}: {exception.Message}");
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_longer_than_the_stated_cap_is_refused_before_it_is_read()
    {
        byte[] file = Write(new Dictionary<string, FloatTensor> { ["w"] = new([1], [1f]) });

        var exception = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file), new SafetensorsReadOptions { MaxHeaderBytes = 16 }));

        Assert.Contains("more than the 16 accepted (SafetensorsReadOptions.MaxHeaderBytes)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused()
    {
        byte[] file = SmallFile();

        for (int length = 0; length < file.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file, 0, length)));
        }

        Assert.Equal(4, Safetensors.Read(new MemoryStream(file)).Tensors.Count);
    }

    [Fact]
    public void Random_corruptions_give_a_file_or_an_InvalidDataException_and_nothing_else()
    {
        byte[] file = SmallFile();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] syntax = Encoding.ASCII.GetBytes("{}[]\",:\\u0123456789-.eE \"F32I64");
        var random = new Random(20261203);
        int read = 0, refused = 0;
        var reasons = new Dictionary<string, int>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int iteration = 0; iteration < 6000; iteration++)
        {
            byte[] corrupt = (byte[])file.Clone();
            int flips = random.Next(1, 5);
            for (int f = 0; f < flips; f++)
            {
                // Half the corruptions land in the header as JSON syntax, which reaches the checks past the parser.
                if (random.Next(2) == 0)
                {
                    corrupt[random.Next(8, headerEnd)] = syntax[random.Next(syntax.Length)];
                }
                else
                {
                    corrupt[random.Next(corrupt.Length)] ^= (byte)random.Next(1, 256);
                }
            }

            try
            {
                _ = Safetensors.Read(new MemoryStream(corrupt));
                read++;
            }
            catch (InvalidDataException e)
            {
                refused++;
                string reason = e.Message[..Math.Min(48, e.Message.Length)];
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
        }

        output.WriteLine($"{read} read, {refused} refused in {watch.ElapsedMilliseconds} ms; {reasons.Count} distinct messages, most common:");
        foreach ((string reason, int count) in reasons.OrderByDescending(r => r.Value).Take(12))
        {
            output.WriteLine($"  {count,5}  {reason}…");
        }

        Assert.True(read > 100 && refused > 1000, $"{read} read and {refused} refused: the corruptions should exercise both outcomes.");
    }

    [Fact]
    public void Writing_refuses_names_that_cannot_be_read_back()
    {
        var tensor = new FloatTensor([1], [1f]);

        Assert.Throws<ArgumentException>(() => Write([new("a", tensor), new("a", tensor)]));
        Assert.Throws<ArgumentException>(() => Write([new(Safetensors.MetadataKey, tensor)]));
        Assert.Throws<ArgumentException>(() => Write([new("", tensor)]));
        Assert.Throws<ArgumentException>(() => new FloatTensor([2, 2], [1f, 2f, 3f]));
        Assert.Throws<ArgumentException>(() => new FloatTensor([-1], []));
    }

    /// <summary>Four tensors of three dtypes and metadata: 200-odd bytes, every part of the format.</summary>
    private static byte[] SmallFile()
    {
        byte[] values = new byte[4 * 6 + 2 * 2 + 8];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (byte)(i * 37);
        }

        string header = """
            {"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
             "h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},"d":{"dtype":"F64","shape":[1],"data_offsets":[28,36]},
             "e":{"dtype":"F32","shape":[0],"data_offsets":[36,36]}}
            """;
        return Craft(header, values);
    }

    private static byte[] Write(IEnumerable<KeyValuePair<string, FloatTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stream = new MemoryStream();
        Safetensors.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    private static string Header(byte[] file) => Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));

    private static byte[] Craft(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        return [.. Prefix((ulong)json.Length, json), .. data];
    }

    private static byte[] Prefix(ulong length, byte[] rest)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return [.. prefix, .. rest];
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    /// <summary>A stream that reads forward only, as a network stream does: no Length, no Seek.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
