using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dendrite.Datasets;

/// <summary>
/// The header of a NumPy <c>.npy</c> file: the magic <c>\x93NUMPY</c>, a version, the header length (2 bytes in
/// version 1, 4 in versions 2 and 3) and a Python dict literal <c>{'descr': '&lt;f8', 'fortran_order': False,
/// 'shape': (506, 13), }</c> padded with spaces and a newline. The array data follows it.
/// </summary>
/// <param name="Descr">The dtype string, e.g. <c>|u1</c>, <c>&lt;i8</c>, <c>&lt;f8</c>, or <c>|O</c> for an object array.</param>
/// <param name="FortranOrder">Whether the data is stored column-major.</param>
/// <param name="Shape">The array's shape; empty for a 0-d array.</param>
internal sealed partial record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted; NumPy's own headers are a few hundred bytes.</summary>
    private const int MaxHeaderLength = 1 << 20;

    /// <summary>The number of elements (the product of the shape).</summary>
    internal long Count => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The shape as NumPy prints it: <c>(3,)</c>, <c>(506, 13)</c>.</summary>
    internal string ShapeText => Format(Shape);

    /// <summary>A shape as NumPy prints it.</summary>
    internal static string Format(IReadOnlyList<long> shape) =>
        $"({string.Join(", ", shape)}{(shape.Count == 1 ? "," : "")})";

    /// <summary>Reads the header from the start of <paramref name="stream"/>, leaving it at the first data byte.</summary>
    /// <exception cref="DatasetException">The preamble or the dict is truncated or malformed; the message starts with <paramref name="origin"/>.</exception>
    internal static NpyHeader Read(Stream stream, string origin)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false);
        if (got < 10)
            throw Bad(origin, $"truncated: {got} bytes, shorter than the NPY preamble");
        if (!prefix[..6].SequenceEqual(Magic))
            throw Bad(origin, $"bad magic at offset 0: expected \\x93NUMPY, found {Convert.ToHexString(prefix[..6])}");
        byte major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else if (major is 2 or 3)
        {
            if (stream.ReadAtLeast(prefix[10..12], 2, throwOnEndOfStream: false) < 2)
                throw Bad(origin, "truncated inside the NPY preamble");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
            if (length > MaxHeaderLength)
                throw Bad(origin, $"NPY header length {length} is implausible");
            headerLength = (int)length;
        }
        else
        {
            throw Bad(origin, $"unsupported NPY format version {major}.{prefix[7]}");
        }

        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
            throw Bad(origin, "truncated inside the NPY header");
        // Version 3 differs from 2 only in encoding the dict as UTF-8 instead of Latin-1.
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = DescrRegex().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw Bad(origin, $"NPY header has no 'descr': {header.Trim()}");
        string fortran = FortranRegex().Match(header) is { Success: true } f ? f.Groups[1].Value
            : throw Bad(origin, $"NPY header has no 'fortran_order': {header.Trim()}");
        var shapeMatch = ShapeRegex().Match(header);
        if (!shapeMatch.Success)
            throw Bad(origin, $"NPY header has no 'shape': {header.Trim()}");
        var shape = new List<long>();
        foreach (string part in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long dim))
                throw Bad(origin, $"NPY shape '({shapeMatch.Groups[1].Value})' is not a tuple of integers");
            shape.Add(dim);
        }
        var result = new NpyHeader(descr, fortran == "True", [.. shape]);
        try
        {
            _ = result.Count;
        }
        catch (OverflowException)
        {
            throw Bad(origin, $"NPY shape {result.ShapeText} holds more elements than can be counted");
        }
        return result;
    }

    private static DatasetException Bad(string origin, string problem) => new($"{origin}: {problem}");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
