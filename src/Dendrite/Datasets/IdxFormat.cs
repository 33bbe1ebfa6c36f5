using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Dendrite.Datasets;

/// <summary>
/// Reads IDX files (the MNIST format: a big-endian header of 32-bit integers, then unsigned bytes) and verifies
/// them against an <see cref="IdxFileSpec"/>: magic, dimensions, element count, length, label range and SHA-256.
/// </summary>
internal static class IdxFormat
{
    /// <summary>Hard cap on a file read from disk, far above any MNIST-layout file, against reading garbage.</summary>
    private const long MaxFileBytes = 256L << 20;

    /// <summary>Reads a raw (<paramref name="gzipped"/> false) or gzip-compressed IDX file and verifies it.</summary>
    /// <returns>The payload (pixels or labels) without the header.</returns>
    internal static byte[] ReadFile(string path, IdxFileSpec spec, bool gzipped)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (gzipped)
            return ReadGzip(file, spec, path);
        if (file.Length > MaxFileBytes)
            throw Bad(path, $"file too long: {file.Length} bytes, expected {spec.FileLength}");
        return Read(file, spec, path, file.Length);
    }

    /// <summary>Decompresses a gzip stream holding an IDX file and verifies it.</summary>
    internal static byte[] ReadGzip(Stream compressed, IdxFileSpec spec, string origin)
    {
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            return Read(gzip, spec, origin + " (decompressed)", knownLength: null);
        }
        catch (InvalidDataException e)
        {
            throw Bad(origin, $"not a valid gzip stream ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads one IDX file from <paramref name="stream"/> and verifies it completely.
    /// <paramref name="knownLength"/> is the stream's total length when known (used in messages only).
    /// </summary>
    internal static byte[] Read(Stream stream, IdxFileSpec spec, string origin, long? knownLength)
    {
        Span<byte> header = stackalloc byte[16];
        header = header[..spec.HeaderLength];

        int got = stream.ReadAtLeast(header[..8], 8, throwOnEndOfStream: false);
        if (got < 8)
            throw Bad(origin, $"file truncated: {got} bytes, shorter than the {spec.HeaderLength}-byte IDX header");

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != spec.Magic)
        {
            string what = spec.IsImages ? "IDX3 unsigned bytes: images" : "IDX1 unsigned bytes: labels";
            throw Bad(origin, $"bad magic at offset 0: expected 0x{spec.Magic:X8} ({what}), found 0x{magic:X8}");
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);

        if (spec.IsImages)
        {
            got = stream.ReadAtLeast(header[8..16], 8, throwOnEndOfStream: false);
            if (got < 8)
                throw Bad(origin, $"file truncated: {8 + got} bytes, shorter than the 16-byte IDX header");
            int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            int cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
            if (rows != IdxFileSpec.Rows || cols != IdxFileSpec.Cols)
                throw Bad(origin, $"bad dimensions at offset 8: expected {IdxFileSpec.Rows}x{IdxFileSpec.Cols} images, header says {rows}x{cols}");
        }

        if (count != spec.Count)
            throw Bad(origin, $"wrong count at offset 4: expected {spec.Count} {spec.ItemWord}, header says {count}");

        var payload = GC.AllocateUninitializedArray<byte>(spec.PayloadLength);
        got = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (got < payload.Length)
            throw Bad(origin, $"file truncated: header says {spec.Count} {spec.ItemWord} = {spec.FileLength} bytes, file has {spec.HeaderLength + (long)got}");
        if (stream.ReadByte() != -1)
        {
            string has = knownLength is long n ? n.ToString(CultureInfo.InvariantCulture) : "more";
            throw Bad(origin, $"file too long: header says {spec.Count} {spec.ItemWord} = {spec.FileLength} bytes, file has {has}");
        }

        Verify(spec, header, payload, origin);
        return payload;
    }

    /// <summary>
    /// Checks the label range (label files) and the SHA-256 of <paramref name="header"/> followed by
    /// <paramref name="payload"/> against the spec. Shared by the IDX and NPY readers.
    /// </summary>
    internal static void Verify(IdxFileSpec spec, ReadOnlySpan<byte> header, byte[] payload, string origin)
    {
        if (!spec.IsImages)
        {
            int bad = payload.AsSpan().IndexOfAnyInRange((byte)10, byte.MaxValue);
            if (bad >= 0)
                throw Bad(origin, $"label out of range at offset {header.Length + bad}: expected 0..9, found {payload[bad]}");
        }

        string actual = Sha256Hex(header, payload);
        if (!string.Equals(actual, spec.Sha256, StringComparison.OrdinalIgnoreCase))
            throw Bad(origin, $"checksum mismatch: expected sha256 {spec.Sha256}, got {actual}");
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="header"/> followed by <paramref name="payload"/>.</summary>
    internal static string Sha256Hex(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(payload);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static DatasetException Bad(string origin, string problem, Exception? inner = null) =>
        new($"{origin}: {problem}", inner);
}
