namespace DigitServer;

/// <summary>
/// Where the server's default model lives: <c>$DENDRITE_HOME/models/digits.keras</c>, else
/// <c>~/.dendrite/models/digits.keras</c> — the same home the dataset loaders cache MNIST under.
/// </summary>
internal static class ModelLocation
{
    /// <summary>The environment variable that moves the Dendrite home, as for <c>Mnist.LoadData</c>.</summary>
    internal const string HomeVariable = "DENDRITE_HOME";

    /// <summary>The default model file, from the process environment; always an absolute path.</summary>
    internal static string DefaultModelPath()
    {
        string? home = Environment.GetEnvironmentVariable(HomeVariable);
        if (string.IsNullOrEmpty(home))
        {
            string user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            home = Path.Combine(string.IsNullOrEmpty(user) ? Path.GetTempPath() : user, ".dendrite");
        }
        return Path.GetFullPath(Path.Combine(home, "models", "digits.keras"));
    }
}
