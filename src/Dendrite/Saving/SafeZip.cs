using System.IO.Compression;

namespace Dendrite.Saving;

/// <summary>
/// Reading a zip archive from an untrusted source (a <c>.keras</c> file): entry names that would escape a folder are
/// refused, each member is read only up to a cap and its declared size, and a member that inflates by more than a
/// hundredfold (a zip bomb) is refused before it is inflated. Every failure is a <see cref="ModelFormatException"/>
/// naming the file and the entry.
/// </summary>
internal sealed class SafeZip : IDisposable
{
    /// <summary>The largest ratio of inflated to stored size accepted for a member above 1 MiB.</summary>
    public const long MaxCompressionRatio = 100;

    private readonly ZipArchive _archive;
    private readonly string _description;

    private SafeZip(ZipArchive archive, string description) => (_archive, _description) = (archive, description);

    /// <summary>Opens the archive in <paramref name="stream"/> (which it then owns).</summary>
    public static SafeZip Open(Stream stream, string description)
    {
        try
        {
            var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            var zip = new SafeZip(archive, description);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                zip.CheckName(entry.FullName);
                // Readers disagree on which of two same-named members counts (Python's zipfile takes the last).
                if (!names.Add(entry.FullName))
                    throw new ModelFormatException($"{description} holds two entries named '{entry.FullName}'; Dendrite refuses such ambiguous files.");
            }
            return zip;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException and not ModelFormatException or ArgumentException or NotSupportedException)
        {
            stream.Dispose();
            throw new ModelFormatException($"{description} is not a valid .keras file: a .keras file is a zip archive, and this one cannot be read as one ({e.Message}).", e);
        }
    }

    /// <summary>The member names, in archive order.</summary>
    public IReadOnlyList<string> Names => [.. _archive.Entries.Select(e => e.FullName)];

    /// <summary>Whether the archive has a member of that name.</summary>
    public bool Contains(string name) => _archive.GetEntry(name) is not null;

    private void CheckName(string name)
    {
        string normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || normalized.Split('/').Contains("..") || (normalized.Length > 1 && normalized[1] == ':'))
            throw new ModelFormatException($"{_description} holds an entry named '{name}', which points outside the archive; Dendrite refuses such files.");
    }

    /// <summary>Reads a member whole, refusing it when it is (or claims to be) larger than <paramref name="cap"/> bytes.</summary>
    /// <returns>The bytes, or null when there is no such member.</returns>
    public byte[]? Read(string name, long cap)
    {
        var entry = _archive.GetEntry(name);
        if (entry is null) return null;
        string where = $"{_description} (member {name})";
        long declared = entry.Length, stored = entry.CompressedLength;
        if (declared > cap)
            throw new ModelFormatException($"{where}: the member claims {declared:N0} bytes, more than the {cap:N0} Dendrite accepts for it.");
        if (declared > (1 << 20) && declared > stored * MaxCompressionRatio)
            throw new ModelFormatException($"{where}: the member inflates {stored:N0} stored bytes to {declared:N0} (more than {MaxCompressionRatio}:1); Dendrite refuses it as a likely zip bomb.");
        try
        {
            using var input = entry.Open();
            var buffer = new MemoryStream((int)Math.Min(declared, cap));
            var chunk = new byte[81920];
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > declared || buffer.Length + read > cap)
                    throw new ModelFormatException($"{where}: the member holds more bytes than its declared {declared:N0}; the archive is corrupt or hostile.");
                buffer.Write(chunk, 0, read);
            }
            if (buffer.Length != declared)
                throw new ModelFormatException($"{where}: the member holds {buffer.Length:N0} bytes, not its declared {declared:N0}; the archive is truncated or corrupt.");
            var bytes = buffer.ToArray();
            // The zip's CRC-32 is the only checksum a .keras file has; .NET's reader does not check it, so this does.
            uint crc = System.IO.Hashing.Crc32.HashToUInt32(bytes);
            if (crc != entry.Crc32)
                throw new ModelFormatException($"{where}: the member's CRC-32 is {crc:x8} but the archive records {entry.Crc32:x8}; the file is corrupt.");
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException and not ModelFormatException or NotSupportedException)
        {
            throw new ModelFormatException($"{where} cannot be read: the archive is truncated or corrupt ({e.Message}).", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _archive.Dispose();
}
