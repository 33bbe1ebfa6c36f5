using System.Buffers.Binary;
using System.Text;

namespace ElfWeakVersion;

/// <summary>What <see cref="ElfVersionPatcher.MarkWeak"/> found and did.</summary>
public enum PatchOutcome
{
    /// <summary>The requirement was strong; it is now weak and the file was rewritten.</summary>
    Patched,
    /// <summary>The requirement was weak already; the file was not touched.</summary>
    AlreadyWeak,
    /// <summary>The file does not require that version at all; the file was not touched.</summary>
    NotRequired,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared object as weak (VER_FLG_WEAK), so the
/// dynamic loader no longer refuses the object when the providing library lacks that version.
/// </summary>
/// <remarks>
/// The requirements live in the <c>SHT_GNU_verneed</c> section (<c>.gnu.version_r</c>): a chain of Verneed records,
/// one per needed library, each with a chain of Vernaux records, one per version. A Vernaux names its version by an
/// offset into the string table that the section's <c>sh_link</c> points at (<c>.dynstr</c>); setting bit 0x2 in its
/// <c>vna_flags</c> makes glibc's loader treat a missing version as a warning, not an error. Only that 16-bit field
/// changes; nothing moves. A symbol bound to the missing version still fails to resolve if a relocation needs it,
/// so this is only sound when no relocation refers to such a symbol (check with <c>readelf -r</c>).
/// </remarks>
public static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private const int VerneedSize = 16; // vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
    private const int VernauxSize = 16; // vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32

    /// <summary>
    /// Marks the requirement on <paramref name="versionName"/> (e.g. <c>GLIBCXX_3.4.32</c>) weak in the file at
    /// <paramref name="path"/>. The new contents are written to a temporary file beside it and renamed over it, so a
    /// reader never sees a half-written file. Idempotent.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static PatchOutcome MarkWeak(string path, string versionName)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = FindFlagOffsets(bytes, versionName);
        if (offsets.Count == 0) return PatchOutcome.NotRequired;

        bool changed = false;
        foreach (int flagsOffset in offsets)
        {
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset));
            if ((flags & VerFlgWeak) != 0) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(flagsOffset), (ushort)(flags | VerFlgWeak));
            changed = true;
        }
        if (!changed) return PatchOutcome.AlreadyWeak;

        string temp = path + ".weak-" + Environment.ProcessId + ".tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return PatchOutcome.Patched;
    }

    /// <summary>True when the file requires <paramref name="versionName"/> and every such requirement is strong.</summary>
    public static bool HasStrongRequirement(string path, string versionName)
    {
        var bytes = File.ReadAllBytes(path);
        foreach (int flagsOffset in FindFlagOffsets(bytes, versionName))
            if ((BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset)) & VerFlgWeak) == 0) return true;
        return false;
    }

    /// <summary>The file offsets of the <c>vna_flags</c> fields of every Vernaux naming <paramref name="versionName"/>.</summary>
    public static List<int> FindFlagOffsets(byte[] elf, string versionName)
    {
        ReadOnlySpan<byte> e = elf;
        if (e.Length < 64 || e[0] != 0x7f || e[1] != (byte)'E' || e[2] != (byte)'L' || e[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (bad magic).");
        if (e[4] != 2) throw new InvalidDataException($"not a 64-bit ELF file (EI_CLASS = {e[4]}).");
        if (e[5] != 1) throw new InvalidDataException($"not a little-endian ELF file (EI_DATA = {e[5]}).");

        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(e[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(e[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(e[0x3C..]);
        if (shoff == 0 || shnum == 0) throw new InvalidDataException("the file has no section header table.");
        if (shentsize < 64) throw new InvalidDataException($"section header entries of {shentsize} bytes (expected 64).");
        CheckRange(e, shoff, (ulong)shentsize * (ulong)shnum, "section header table");

        var target = Encoding.ASCII.GetBytes(versionName);
        var found = new List<int>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = e.Slice((int)shoff + i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]); // sh_info: number of Verneed records
            CheckRange(e, offset, size, "version-needs section");
            if (link >= shnum) throw new InvalidDataException($"version-needs section links to section {link} of {shnum}.");
            var strtabHeader = e.Slice((int)shoff + (int)link * shentsize, shentsize);
            ulong strOffset = BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x18..]);
            ulong strSize = BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x20..]);
            CheckRange(e, strOffset, strSize, "string table");
            var strtab = e.Slice((int)strOffset, (int)strSize);
            var section = e.Slice((int)offset, (int)size);

            int needPos = 0;
            for (uint n = 0; n < count; n++)
            {
                if (needPos < 0 || needPos + VerneedSize > section.Length) throw new InvalidDataException("a Verneed record runs past its section.");
                var need = section[needPos..];
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(need[2..]);
                int auxPos = needPos + (int)BinaryPrimitives.ReadUInt32LittleEndian(need[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    if (auxPos < 0 || auxPos + VernauxSize > section.Length) throw new InvalidDataException("a Vernaux record runs past its section.");
                    var aux = section[auxPos..];
                    uint name = BinaryPrimitives.ReadUInt32LittleEndian(aux[8..]);
                    if (NameEquals(strtab, name, target)) found.Add((int)offset + auxPos + 4);
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
                    if (nextAux == 0) break;
                    auxPos += (int)nextAux;
                }
                uint nextNeed = BinaryPrimitives.ReadUInt32LittleEndian(need[12..]);
                if (nextNeed == 0) break;
                needPos += (int)nextNeed;
            }
        }
        return found;
    }

    private static bool NameEquals(ReadOnlySpan<byte> strtab, uint offset, ReadOnlySpan<byte> name)
    {
        if (offset >= (uint)strtab.Length) throw new InvalidDataException($"a version name at string offset {offset} lies outside the string table.");
        var rest = strtab[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("an unterminated string in the string table.");
        return rest[..end].SequenceEqual(name);
    }

    private static void CheckRange(ReadOnlySpan<byte> file, ulong offset, ulong length, string what)
    {
        if (offset > (ulong)file.Length || length > (ulong)file.Length - offset)
            throw new InvalidDataException($"the {what} ({length} bytes at offset {offset}) lies outside the {file.Length}-byte file.");
    }
}
