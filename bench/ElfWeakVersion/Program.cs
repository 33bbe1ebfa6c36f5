// Usage: ElfWeakVersion <shared-object> <version-name>
// Marks the requirement on <version-name> (e.g. GLIBCXX_3.4.32) weak in <shared-object>, in place.
// Exit codes: 0 patched, already weak or not required; 1 usage; 2 missing file or malformed ELF.
using ElfWeakVersion;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ElfWeakVersion <shared-object> <version-name>");
    return 1;
}
string path = args[0], version = args[1];
if (!File.Exists(path))
{
    Console.Error.WriteLine($"ElfWeakVersion: {path}: no such file.");
    return 2;
}
try
{
    var outcome = ElfVersionPatcher.MarkWeak(path, version);
    Console.WriteLine(outcome switch
    {
        PatchOutcome.Patched => $"ElfWeakVersion: {path}: marked the requirement on {version} weak.",
        PatchOutcome.AlreadyWeak => $"ElfWeakVersion: {path}: the requirement on {version} is weak already.",
        _ => $"ElfWeakVersion: {path}: does not require {version}; nothing to do.",
    });
    return 0;
}
catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"ElfWeakVersion: {path}: {ex.Message}");
    return 2;
}
