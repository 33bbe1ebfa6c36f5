namespace DigitServer;

/// <summary>
/// The server's own command-line options; everything else (<c>--urls</c>, <c>--environment</c>…) is left to
/// ASP.NET Core's configuration.
/// </summary>
/// <param name="ModelPath">The <c>.keras</c> model given with <c>--model</c>, or null for the default one.</param>
/// <param name="ShowHelp">Whether <c>--help</c> was given.</param>
/// <param name="HostArguments">The arguments for ASP.NET Core.</param>
internal sealed record ServerOptions(string? ModelPath, bool ShowHelp, string[] HostArguments)
{
    internal const string Usage = """
        DigitServer: recognises hand-drawn digits with a Dendrite model.

          dotnet run --project samples/DigitServer -c Release -- [--model PATH] [--urls URL]

          --model PATH  a .keras model taking 28x28 images (784 values) and giving 10 probabilities.
                        Default: $DENDRITE_HOME/models/digits.keras, else ~/.dendrite/models/digits.keras,
                        trained on MNIST and saved there on the first start when missing.
          --urls URL    where to listen, e.g. http://127.0.0.1:5000 (port 0: a free port). Default http://localhost:5000.

        Open the address in a browser and draw a digit. API: POST /predict, GET /health.
        """;

    /// <summary>Splits <paramref name="args"/>; throws <see cref="ArgumentException"/> for <c>--model</c> without a value.</summary>
    internal static ServerOptions Parse(string[] args)
    {
        string? model = null;
        bool help = false;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
                help = true;
            else if (arg == "--model")
                model = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i]
                    : throw new ArgumentException("--model needs a path to a .keras file, e.g. --model digits.keras.");
            else if (arg.StartsWith("--model=", StringComparison.Ordinal))
                model = arg["--model=".Length..];
            else
                rest.Add(arg);
        }
        return new ServerOptions(model, help, [.. rest]);
    }
}
