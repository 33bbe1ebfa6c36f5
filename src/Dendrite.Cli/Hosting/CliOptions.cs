using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using Dendrite.Cli.Data;

namespace Dendrite.Cli.Hosting;

/// <summary>The arguments and options several commands share, with their validation and tab completions.</summary>
internal static class CliOptions
{
    /// <summary>Global: show the stack trace of an error.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show the full exception with its stack trace when a command fails.",
        Recursive = true,
    };

    /// <summary>The model file every model command starts from.</summary>
    public static Argument<string> Model(string description = "A Keras model file: .keras (Keras 3, tf.keras 2.13+, Dendrite) or legacy .h5.")
    {
        var argument = new Argument<string>("MODEL") { Description = description, HelpName = "MODEL" };
        argument.CompletionSources.Add(PathCompletions(".keras", ".h5", ".hdf5"));
        return argument;
    }

    /// <summary><c>--data mnist|fashion-mnist|DIR</c>.</summary>
    public static Option<string> Data(string purpose)
    {
        var option = new Option<string>("--data", "-d")
        {
            Description = $"The data to {purpose}: mnist, fashion-mnist, or a folder with the four MNIST IDX files (raw or .gz) " +
                          "or with train/<class>/*.png and test/<class>/*.png (classes sorted alphabetically = labels).",
            HelpName = "mnist|fashion-mnist|DIR",
            Required = true,
        };
        option.CompletionSources.Add(context => DataSource.KnownNames
            .Where(n => n.StartsWith(context.WordToComplete, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionItem(n))
            .Concat(PathCompletions()(context).Where(c => Directory.Exists(c.Label))));
        return option;
    }

    /// <summary>A hidden option to use only the first N samples, for quick trials and tests.</summary>
    public static Option<int?> Limit()
    {
        var option = new Option<int?>("--limit") { HelpName = "N", Description = "Use only the first N samples of the data.", Hidden = true };
        Check(option, v => v is < 1 ? $"--limit must be at least 1, got {v}." : null);
        return option;
    }

    /// <summary><c>--batch-size</c>, at least 1.</summary>
    public static Option<int> BatchSize(int defaultValue)
    {
        var option = new Option<int>("--batch-size", "-b") { Description = "Samples per batch.", HelpName = "N", DefaultValueFactory = _ => defaultValue };
        Check(option, v => v < 1 ? $"--batch-size must be at least 1, got {v}." : null);
        return option;
    }

    /// <summary>
    /// Adds a check of the option's value (<paramref name="problem"/> returns the error, or null when the value is fine).
    /// A value that does not even convert (<c>--epochs many</c>) is left to the parser, which reports it itself.
    /// </summary>
    public static void Check<T>(Option<T> option, Func<T, string?> problem) => option.Validators.Add(result =>
    {
        T value;
        try { value = result.GetValueOrDefault<T>(); }
        catch (InvalidOperationException) { return; }
        if (problem(value) is string error) result.AddError(error);
    });

    /// <summary>A validator refusing a path argument or option that does not end in one of <paramref name="suffixes"/>.</summary>
    public static Action<SymbolResult> RequireSuffix(string what, string extra, params string[] suffixes) => result =>
    {
        string? path = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (path is not null && !suffixes.Any(s => path.EndsWith(s, StringComparison.Ordinal)))
            result.AddError($"{what} must end in {string.Join(" or ", suffixes)}; got '{path}'.{extra}");
    };

    /// <summary>Completes file and folder names under the word typed so far, keeping files with one of <paramref name="extensions"/> (any when none).</summary>
    public static Func<CompletionContext, IEnumerable<CompletionItem>> PathCompletions(params string[] extensions) => context =>
    {
        string word = context.WordToComplete;
        // The typed folder part, kept as typed ("models/", "../data/", "/abs/"), or the current folder.
        string prefix = word[..(word.LastIndexOfAny(['/', Path.DirectorySeparatorChar]) + 1)];
        string folder = prefix.Length > 0 ? prefix : ".";
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(folder)
                .Where(e => Directory.Exists(e) || extensions.Length == 0 || extensions.Any(x => e.EndsWith(x, StringComparison.OrdinalIgnoreCase)))
                .Select(e => prefix + Path.GetFileName(e) + (Directory.Exists(e) ? "/" : ""))
                .Where(e => e.StartsWith(word, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(e => new CompletionItem(e))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return []; // a folder that cannot be listed has nothing to offer
        }
    };
}
