namespace Dendrite.Cli.Hosting;

/// <summary>Loading the model a command names, and checking up front that the files it will write can be written.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// <see cref="Dendrite.Model.Load"/> with the tool's errors: a missing file is exit code 2, a folder or a file that is
    /// not a model is exit code 3 (the core's <c>ModelFormatException</c> names the file and what is wrong).
    /// </summary>
    public static Model Load(string path, bool compile)
    {
        if (Directory.Exists(path)) throw CliException.Unreadable($"'{path}' is a folder, not a model file (.keras or .h5).");
        if (!File.Exists(path)) throw CliException.NotFound($"Model file not found: '{path}'.");
        return Model.Load(path, compile);
    }

    /// <summary>Refuses, before any work is done, an output path whose folder does not exist.</summary>
    public static void RequireOutputFolder(string path, string what)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
            throw CliException.NotFound($"The folder of {what} '{path}' does not exist: '{folder}'.");
        if (Directory.Exists(path))
            throw CliException.Usage($"{what} '{path}' is a folder; give a file name.");
    }
}
