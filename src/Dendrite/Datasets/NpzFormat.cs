using System.IO.Compression;

namespace Dendrite.Datasets;

/// <summary>
/// Reads uint8 arrays from a NumPy <c>.npz</c> (a zip of <c>.npy</c> files), as Keras ships <c>mnist.npz</c>, and
/// verifies each one as the IDX file it stands for: the IDX header is rebuilt from the array's shape and the
/// SHA-256 of header plus data is compared with the IDX checksum, so one table of hashes serves every container.
/// </summary>
internal static class NpzFormat
{
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
        var header = NpyHeader.Read(stream, origin);
        if (header.Descr != "|u1")
            throw Bad(origin, $"wrong dtype: expected '|u1' (uint8), found '{header.Descr}'");
        if (header.FortranOrder)
            throw Bad(origin, "wrong memory order: expected fortran_order False (C order), found True");
        if (!header.Shape.SequenceEqual(spec.Shape.Select(x => (long)x)))
            throw Bad(origin, $"wrong shape: expected {new Shape(spec.Shape)}, found {header.ShapeText}");

        var payload = GC.AllocateUninitializedArray<byte>(spec.PayloadLength);
        int got = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (got < payload.Length)
            throw Bad(origin, $"array data truncated: shape {new Shape(spec.Shape)} = {payload.Length} bytes, entry has {got}");
        if (stream.ReadByte() != -1)
            throw Bad(origin, $"array data too long: shape {new Shape(spec.Shape)} = {payload.Length} bytes, entry has more");

        IdxFormat.Verify(spec, spec.BuildHeader(), payload, origin + " (as IDX)");
        return payload;
    }

    private static DatasetException Bad(string origin, string problem) => new($"{origin}: {problem}");
}
