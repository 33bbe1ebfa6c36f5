using System.Buffers.Binary;
using System.IO.Compression;
using Dendrite.Cli.Hosting;

namespace Dendrite.Cli.Data;

/// <summary>
/// Reads an IDX file of unsigned bytes (MNIST's format: two zero bytes, type 0x08, the number of dimensions, each
/// dimension as a big-endian int32, then the values), raw or gzip-compressed (told by the gzip magic, not the name).
/// Unlike the core's MNIST loader it checks no checksum, so any data in MNIST's layout reads.
/// </summary>
internal static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>The file's values with their shape; an <see cref="ExitCodes.Unreadable"/> error naming the file when it is not IDX.</summary>
    public static NDArray<byte> Read(string path)
    {
        using var file = File.OpenRead(path);
        bool gzipped = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e)
        {
            throw CliException.Unreadable($"'{path}' is not a valid gzip file: {e.Message}", e);
        }
    }

    private static NDArray<byte> Read(Stream stream, string path)
    {
        Span<byte> header = stackalloc byte[4];
        if (stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4 || header[0] != 0 || header[1] != 0)
            throw CliException.Unreadable($"'{path}' is not an IDX file: it does not start with the IDX magic (00 00 <type> <dimensions>).");
        if (header[2] != UnsignedByte)
            throw CliException.Unreadable($"'{path}' holds IDX type 0x{header[2]:x2}; only unsigned bytes (0x08), as in MNIST, are supported.");
        int rank = header[3];
        if (rank is < 1 or > 4)
            throw CliException.Unreadable($"'{path}' declares {rank} dimensions; an IDX image or label file has 1 to 4.");
        var dims = new int[rank];
        Span<byte> word = stackalloc byte[4];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            if (stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                throw CliException.Unreadable($"'{path}' ends inside its IDX header.");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0) throw CliException.Unreadable($"'{path}': dimension {i} is negative ({dims[i]}).");
            size *= dims[i];
            if (size > Array.MaxLength) throw CliException.Unreadable($"'{path}' declares more values than one array holds ({string.Join(" × ", dims[..(i + 1)])}).");
        }
        // Read at most one byte more than declared, into memory that grows with what is there: a header declaring
        // gigabytes in a small (or compressed) file costs nothing before the data runs out.
        using var values = new MemoryStream();
        var chunk = new byte[1 << 20];
        while (values.Length <= size)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, size + 1 - values.Length));
            if (read == 0) break;
            values.Write(chunk, 0, read);
        }
        if (values.Length < size)
            throw CliException.Unreadable($"'{path}' is truncated: its header declares {string.Join(" × ", dims)} = {size} values, it holds {values.Length}.");
        if (values.Length > size)
            throw CliException.Unreadable($"'{path}' has data past the {size} values its header declares ({string.Join(" × ", dims)}).");
        return new NDArray<byte>(values.ToArray(), dims);
    }
}
