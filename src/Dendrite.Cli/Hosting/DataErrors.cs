namespace Dendrite.Cli.Hosting;

/// <summary>Maps the core's argument errors during Fit/Evaluate/Predict to "the data does not fit the model".</summary>
internal static class DataErrors
{
    /// <summary>
    /// Runs <paramref name="run"/>; an <see cref="ArgumentException"/> from it is about the arrays the tool passed, i.e. the
    /// data and the model disagree (the checks before it catch the usual cases with a clearer message).
    /// </summary>
    public static T Guard<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ArgumentException e)
        {
            throw CliException.DataMismatch($"The data does not fit the model: {e.Message}", e);
        }
    }
}
