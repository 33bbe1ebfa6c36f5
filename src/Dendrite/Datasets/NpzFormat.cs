using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Dendrite.Datasets;

/// <summary>
/// Reads uint8 arrays from a NumPy <c>.npz</c> (a zip of <c>.npy</c> files), as Keras ships <c>mnist.npz</c>, and
/// verifies each one as the IDX file it stands for: the IDX header is rebuilt from the array's shape and the
/// SHA-256 of header plus data is compared with the IDX checksum, so one table of hashes serves every container.
/// </summary>
internal static partial class NpzFormat
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Opens the zip archive of a <c>.npz</c>; one that cannot be read as a zip is a <see cref="DatasetException"/>.</summary>
    internal static ZipArchive OpenArchive(Stream stream, string origin)
    {
        ZipArchive? archive = null;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read);
            // The central directory is read on first use, so a corrupt one would otherwise throw from GetEntry later.
            _ = archive.Entries.Count;
            return archive;
        }
        catch (InvalidDataException e)
        {
            archive?.Dispose();
            throw new DatasetException($"{origin}: not a valid .npz (zip) archive ({e.Message})", e);
        }
    }

    /// <summary>Reads and verifies the array <see cref="IdxFileSpec.NpzKey"/> of <paramref name="spec"/>.</summary>
    internal static byte[] ReadArray(ZipArchive archive, IdxFileSpec spec, string origin)
    {
        string entryName = spec.NpzKey + ".npy";
        string where = $"{origin} [{entryName}]";
        try
        {
            var entry = archive.GetEntry(entryName)
                ?? throw new DatasetException($"{origin}: no array '{spec.NpzKey}' ({entryName}) in the archive; it holds: {string.Join(", ", archive.Entries.Select(e => e.FullName))}");
            using var stream = entry.Open();
            return ReadNpy(stream, spec, where);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{where}: the zip entry cannot be decompressed ({e.Message})", e);
        }
    }

    /// <summary>Reads one <c>.npy</c> stream holding a C-order uint8 array of the spec's shape and verifies it.</summary>
    internal static byte[] ReadNpy(Stream stream, IdxFileSpec spec, string origin)
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
            if (length > 1 << 20)
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
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = DescrRegex().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw Bad(origin, $"NPY header has no 'descr': {header.Trim()}");
        if (descr != "|u1")
            throw Bad(origin, $"wrong dtype: expected '|u1' (uint8), found '{descr}'");

        string fortran = FortranRegex().Match(header) is { Success: true } f ? f.Groups[1].Value
            : throw Bad(origin, $"NPY header has no 'fortran_order': {header.Trim()}");
        if (fortran != "False")
            throw Bad(origin, "wrong memory order: expected fortran_order False (C order), found True");

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
        if (!shape.SequenceEqual(spec.Shape.Select(x => (long)x)))
            throw Bad(origin, $"wrong shape: expected {new Shape(spec.Shape)}, found ({string.Join(", ", shape)}{(shape.Count == 1 ? "," : "")})");

        var payload = GC.AllocateUninitializedArray<byte>(spec.PayloadLength);
        got = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (got < payload.Length)
            throw Bad(origin, $"array data truncated: shape {new Shape(spec.Shape)} = {payload.Length} bytes, entry has {got}");
        if (stream.ReadByte() != -1)
            throw Bad(origin, $"array data too long: shape {new Shape(spec.Shape)} = {payload.Length} bytes, entry has more");

        IdxFormat.Verify(spec, spec.BuildHeader(), payload, origin + " (as IDX)");
        return payload;
    }

    private static DatasetException Bad(string origin, string problem) => new($"{origin}: {problem}");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
