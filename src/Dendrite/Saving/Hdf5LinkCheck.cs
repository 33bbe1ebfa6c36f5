using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Dendrite.Saving;

/// <summary>
/// A scan of an HDF5 file's bytes for symbolic (soft or external) links before PureHDF opens it. Keras and h5py never
/// write them, and PureHDF 2.2 follows a soft link that leads back to itself without a depth limit, until a stack
/// overflow kills the process (found by fuzzing; no .NET code can catch that). The scan reads the two places h5py's
/// files keep links: the entries of old-style symbol-table nodes (<c>SNOD</c>, cache type 2 marks a soft link) and
/// the link messages of version-2 object headers (<c>OHDR</c>, message type 6). It is a byte scan, so it also looks
/// at structures PureHDF would never reach: a file is refused only when such a structure is well formed.
/// </summary>
internal static class Hdf5LinkCheck
{
    private const int MaxEntriesPerNode = 4096;

    /// <summary>Throws <see cref="WeightsFileException"/> when the file holds a symbolic link; the stream is left at 0.</summary>
    /// <remarks>The bytes are scanned where they already are: a memory stream's buffer, or a file mapped into memory.</remarks>
    public static unsafe void RefuseSymbolicLinks(Stream stream, string description)
    {
        if (!stream.CanSeek || stream.Length > int.MaxValue) return; // too large to scan as one span: PureHDF's own limits apply
        string? kind;
        long at;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
            kind = Find(buffer, out at);
        else if (stream is FileStream file && file.Length > 0)
        {
            using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            using var view = map.CreateViewAccessor(0, file.Length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            try { kind = Find(new ReadOnlySpan<byte>(pointer + view.PointerOffset, (int)file.Length), out at); }
            finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
        }
        else
        {
            var bytes = new byte[stream.Length];
            stream.Position = 0;
            stream.ReadExactly(bytes);
            kind = Find(bytes, out at);
        }
        stream.Position = 0;
        if (kind is not null)
            throw new WeightsFileException($"{description} holds an HDF5 {kind} link (at byte {at}); Keras files have none, and following one can loop forever, so Dendrite refuses the file.");
    }

    /// <summary>The kind of the first symbolic link found (<c>soft</c>, <c>external</c>), or null.</summary>
    internal static string? Find(ReadOnlySpan<byte> b, out long at)
    {
        int offsets = OffsetSize(b);
        for (int p = b.IndexOf("SNOD"u8); p >= 0; p = Next(b, p, "SNOD"u8))
            if (SymbolTableNode(b, p, offsets) is long entry) { at = entry; return "soft"; }
        for (int p = b.IndexOf("OHDR"u8); p >= 0; p = Next(b, p, "OHDR"u8))
            if (ObjectHeader(b, p) is (long entry, string kind)) { at = entry; return kind; }
        at = -1;
        return null;
    }

    private static int Next(ReadOnlySpan<byte> b, int p, ReadOnlySpan<byte> signature)
    {
        int rest = b[(p + 1)..].IndexOf(signature);
        return rest < 0 ? -1 : p + 1 + rest;
    }

    /// <summary>The superblock's size of offsets (8 in h5py's files).</summary>
    private static int OffsetSize(ReadOnlySpan<byte> b)
    {
        ReadOnlySpan<byte> magic = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
        for (int s = 0; s + 16 <= b.Length && s <= 1 << 20; s = s == 0 ? 512 : s * 2)
        {
            if (!b.Slice(s, 8).SequenceEqual(magic)) continue;
            int size = b[s + 8] <= 1 ? b[s + 13] : b[s + 9];
            return size is 2 or 4 or 8 ? size : 8;
        }
        return 8;
    }

    /// <summary>A symbol-table node's first entry with cache type 2 (a soft link), or null.</summary>
    private static long? SymbolTableNode(ReadOnlySpan<byte> b, int p, int offsets)
    {
        if (p + 8 > b.Length || b[p + 4] != 1) return null;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(b[(p + 6)..]);
        int entrySize = 2 * offsets + 8 + 16;
        if (count > MaxEntriesPerNode || p + 8 + (long)count * entrySize > b.Length) return null;
        for (int i = 0; i < count; i++)
        {
            int entry = p + 8 + i * entrySize;
            if (BinaryPrimitives.ReadUInt32LittleEndian(b[(entry + 2 * offsets)..]) == 2) return entry;
        }
        return null;
    }

    /// <summary>A version-2 object header's first link message of a soft (1) or external (64) link, or null.</summary>
    private static (long, string)? ObjectHeader(ReadOnlySpan<byte> b, int p)
    {
        if (p + 7 > b.Length || b[p + 4] != 2) return null;
        byte flags = b[p + 5];
        int q = p + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int sizeBytes = 1 << (flags & 3);
        if (q + sizeBytes > b.Length) return null;
        long chunk = sizeBytes switch
        {
            1 => b[q],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(b[q..]),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(b[q..]),
            _ => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(b[q..]), int.MaxValue),
        };
        q += sizeBytes;
        long end = Math.Min(q + chunk, b.Length);
        int header = 4 + ((flags & 0x04) != 0 ? 2 : 0);
        while (q + header <= end)
        {
            byte type = b[q];
            int size = BinaryPrimitives.ReadUInt16LittleEndian(b[(q + 1)..]);
            int data = q + header;
            if (type == 6 && data + 3 <= end && b[data] == 1 && (b[data + 1] & 0x08) != 0)
            {
                byte linkType = b[data + 2];
                if (linkType == 1) return (q, "soft");
                if (linkType == 64) return (q, "external");
            }
            q = data + size;
        }
        return null;
    }
}
