using System.Buffers.Binary;
using System.IO.Compression;

namespace Dendrite.Datasets;

/// <summary>
/// A <c>.npz</c> as Keras ships its small datasets (<c>imdb.npz</c>, <c>reuters.npz</c>,
/// <c>boston_housing.npz</c>): a zip of <c>{key}.npy</c> entries holding integer or float arrays, or object arrays of
/// lists of ints (read by <see cref="ObjectArrayPickle"/>, never by a general unpickler). Every problem is a
/// <see cref="DatasetException"/> naming the file, the entry and what was wrong.
/// </summary>
internal sealed class KerasNpz : IDisposable
{
    /// <summary>Largest inflated entry accepted (the real files' largest entry is about 30 MB).</summary>
    internal const long MaxEntryBytes = 1L << 30;

    /// <summary>Largest inflate ratio accepted for an entry above 1 MiB, as Keras refuses decompression bombs.</summary>
    internal const long MaxCompressionRatio = 100;

    private readonly ZipArchive _zip;
    private readonly string _origin;
    private readonly long _archiveLength;

    private KerasNpz(ZipArchive zip, string origin, long archiveLength) => (_zip, _origin, _archiveLength) = (zip, origin, archiveLength);

    /// <summary>Opens the archive in <paramref name="bytes"/>; <paramref name="origin"/> (the file) starts every message.</summary>
    internal static KerasNpz Open(byte[] bytes, string origin)
    {
        try
        {
            var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            _ = zip.Entries.Count; // reads the central directory now, so a corrupt one fails here
            return new KerasNpz(zip, origin, bytes.Length);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new DatasetException($"{origin}: not a valid .npz (zip) archive ({e.Message})", e);
        }
    }

    /// <summary>The array names (entries <c>{key}.npy</c>), in archive order.</summary>
    internal IReadOnlyList<string> Keys =>
        [.. _zip.Entries.Select(e => e.FullName).Where(n => n.EndsWith(".npy", StringComparison.Ordinal)).Select(n => n[..^4])];

    /// <summary>The 1-D object array <paramref name="key"/>, each item a list of ints (a ragged batch of sequences).</summary>
    internal int[][] ReadSequences(string key)
    {
        var (bytes, header, dataStart, where) = ReadEntry(key);
        if (header.Descr != "|O")
            throw Bad(where, $"wrong dtype: expected an object array ('|O') of sequences, found '{header.Descr}'");
        if (header.Shape.Length != 1)
            throw Bad(where, $"wrong shape: expected a 1-D array of sequences, found {header.ShapeText}");
        return ObjectArrayPickle.ReadIntLists(bytes, dataStart, bytes.Length, header.Shape, where);
    }

    /// <summary>The integer array <paramref name="key"/> (any NumPy integer dtype, either byte order) as <see cref="long"/>.</summary>
    internal (long[] Values, long[] Shape) ReadIntegers(string key)
    {
        var (bytes, header, dataStart, where) = ReadEntry(key);
        var (size, read) = header.Descr switch
        {
            "|i1" => (1, (Func<ReadOnlySpan<byte>, long>)(b => (sbyte)b[0])),
            "|u1" => (1, b => b[0]),
            "<i2" => (2, b => BinaryPrimitives.ReadInt16LittleEndian(b)),
            ">i2" => (2, b => BinaryPrimitives.ReadInt16BigEndian(b)),
            "<u2" => (2, b => BinaryPrimitives.ReadUInt16LittleEndian(b)),
            ">u2" => (2, b => BinaryPrimitives.ReadUInt16BigEndian(b)),
            "<i4" => (4, b => BinaryPrimitives.ReadInt32LittleEndian(b)),
            ">i4" => (4, b => BinaryPrimitives.ReadInt32BigEndian(b)),
            "<u4" => (4, b => BinaryPrimitives.ReadUInt32LittleEndian(b)),
            ">u4" => (4, b => BinaryPrimitives.ReadUInt32BigEndian(b)),
            "<i8" => (8, b => BinaryPrimitives.ReadInt64LittleEndian(b)),
            ">i8" => (8, b => BinaryPrimitives.ReadInt64BigEndian(b)),
            _ => throw Bad(where, $"wrong dtype: expected an integer array ('<i8', '<i4', '|u1', …), found '{header.Descr}'"),
        };
        var data = Data(bytes, header, dataStart, size, where);
        var values = new long[header.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = read(data.Slice(i * size, size));
        return (values, header.Shape);
    }

    /// <summary>The floating-point array <paramref name="key"/> (<c>float64</c> or <c>float32</c>, either byte order) as <see cref="double"/>.</summary>
    internal (double[] Values, long[] Shape) ReadFloats(string key)
    {
        var (bytes, header, dataStart, where) = ReadEntry(key);
        var (size, read) = header.Descr switch
        {
            "<f8" => (8, (Func<ReadOnlySpan<byte>, double>)(b => BinaryPrimitives.ReadDoubleLittleEndian(b))),
            ">f8" => (8, b => BinaryPrimitives.ReadDoubleBigEndian(b)),
            "<f4" => (4, b => BinaryPrimitives.ReadSingleLittleEndian(b)),
            ">f4" => (4, b => BinaryPrimitives.ReadSingleBigEndian(b)),
            _ => throw Bad(where, $"wrong dtype: expected a float array ('<f8' or '<f4'), found '{header.Descr}'"),
        };
        var data = Data(bytes, header, dataStart, size, where);
        var values = new double[header.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = read(data.Slice(i * size, size));
        return (values, header.Shape);
    }

    /// <summary>The data bytes of a numeric array: C order (or a single axis), exactly count × item size long.</summary>
    private static ReadOnlySpan<byte> Data(byte[] bytes, NpyHeader header, int dataStart, int itemSize, string where)
    {
        if (header.FortranOrder && header.Shape.Count(d => d != 1) > 1)
            throw Bad(where, "wrong memory order: expected fortran_order False (C order), found True");
        long expected = header.Count <= long.MaxValue / itemSize ? header.Count * itemSize : long.MaxValue;
        long actual = bytes.Length - dataStart;
        if (actual < expected)
            throw Bad(where, $"array data truncated: shape {header.ShapeText} of '{header.Descr}' = {expected} bytes, entry has {actual}");
        if (actual > expected)
            throw Bad(where, $"array data too long: shape {header.ShapeText} of '{header.Descr}' = {expected} bytes, entry has {actual}");
        return bytes.AsSpan(dataStart);
    }

    /// <summary>Inflates <c>{key}.npy</c> whole (refusing oversized or bomb-like entries) and reads its header.</summary>
    private (byte[] Bytes, NpyHeader Header, int DataStart, string Where) ReadEntry(string key)
    {
        string entryName = key + ".npy";
        string where = $"{_origin} [{entryName}]";
        var entry = _zip.GetEntry(entryName)
            ?? throw new DatasetException($"{_origin}: no array '{key}' ({entryName}) in the archive; it holds: {string.Join(", ", _zip.Entries.Select(e => e.FullName))}");
        // The sizes come from the zip directory: check them before allocating, so a corrupt directory cannot ask for gigabytes.
        if (entry.CompressedLength > _archiveLength)
            throw Bad(where, $"the zip directory says the entry holds {entry.CompressedLength} bytes, more than the whole file ({_archiveLength})");
        if (entry.Length > MaxEntryBytes)
            throw Bad(where, $"the entry inflates to {entry.Length} bytes, more than the {MaxEntryBytes} accepted");
        if (entry.Length > 1 << 20 && entry.Length > MaxCompressionRatio * entry.CompressedLength)
            throw Bad(where, $"the entry inflates {entry.CompressedLength} bytes to {entry.Length}, more than {MaxCompressionRatio} times; refusing a potential decompression bomb");
        byte[] bytes;
        try
        {
            using var stream = entry.Open();
            bytes = new byte[entry.Length];
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
                throw Bad(where, $"the entry is truncated: the zip directory says {bytes.Length} bytes, it inflates to {got}");
            if (stream.ReadByte() != -1)
                throw Bad(where, $"the entry inflates to more than the {bytes.Length} bytes the zip directory says");
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{where}: the zip entry cannot be decompressed ({e.Message})", e);
        }
        using var memory = new MemoryStream(bytes, writable: false);
        var header = NpyHeader.Read(memory, where);
        return (bytes, header, (int)memory.Position, where);
    }

    private static DatasetException Bad(string where, string problem) => new($"{where}: {problem}");

    public void Dispose() => _zip.Dispose();
}
