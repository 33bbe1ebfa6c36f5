namespace Dendrite.Bench;

/// <summary>The command line: <c>[--quick] [--write] [--only gemm|train|conv|predict|rnn|attention|disturb[,...]] [--path avx512|avx2|vector128|all[,...]] [--runs N] [--epochs N]</c>, or <c>--child NAME</c> (internal).</summary>
internal sealed class Options
{
    public static readonly string[] Sections = ["gemm", "train", "conv", "predict", "rnn", "attention", "disturb"];

    public bool Quick { get; private set; }
    public bool Write { get; private set; }
    public HashSet<string> Only { get; } = new(StringComparer.Ordinal);
    public string? Child { get; private set; }
    public int Runs { get; private set; } = 3;
    /// <summary>The <c>--epochs</c> value, or null when not given (each section then has its own default).</summary>
    public int? Epochs { get; private set; }
    public bool Help { get; private set; }

    /// <summary>
    /// The <c>--path</c> values (<c>avx512</c>, <c>avx2</c>, <c>vector128</c>, <c>all</c>), or empty when not given:
    /// then the machine's own path runs, and the AVX2 path too when the machine has AVX-512.
    /// </summary>
    public HashSet<string> PathNames { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<string> Raw { get; private set; } = [];

    /// <summary>True when <paramref name="section"/> is to run (all run unless <c>--only</c> names some).</summary>
    public bool Enabled(string section) => Only.Count == 0 || Only.Contains(section);

    /// <summary>
    /// The epochs a training section runs: <c>--epochs</c> when given, otherwise 5 for the dense network ("train")
    /// and 3 for the convnet ("conv") and the recurrent networks ("rnn"), 2 of those with <c>--quick</c>.
    /// </summary>
    public int EpochsFor(string section) => Epochs ?? (section is "conv" or "rnn" ? (Quick ? 2 : 3) : 5);

    /// <summary>RESULTS.md is written by full runs, and by quick runs only when asked with <c>--write</c>.</summary>
    public bool WritesResults => Write || (!Quick && Only.Count == 0);

    public static Options Parse(string[] args)
    {
        var o = new Options { Raw = args };
        bool runsGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--quick": o.Quick = true; break;
                case "--write": o.Write = true; break;
                case "--help" or "-h": o.Help = true; break;
                case "--only":
                    foreach (var s in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!Sections.Contains(s)) throw new ArgumentException($"--only takes {string.Join(", ", Sections)}; got '{s}'.");
                        o.Only.Add(s);
                    }
                    break;
                case "--path":
                    foreach (var s in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!SimdPaths.Names.Contains(s) && s != "all") throw new ArgumentException($"--path takes {string.Join(", ", SimdPaths.Names)} or all; got '{s}'.");
                        o.PathNames.Add(s);
                    }
                    break;
                case "--child": o.Child = Value(); break;
                case "--runs": o.Runs = PositiveInt(a, Value()); runsGiven = true; break;
                case "--epochs": o.Epochs = PositiveInt(a, Value()); break;
                default: throw new ArgumentException($"unknown argument '{a}' (try --help).");
            }
        }
        if (o.Quick && !runsGiven) o.Runs = 1;
        return o;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException($"{name} takes a positive integer, got '{value}'.");

    public const string Usage = """
        Dendrite vs TorchSharp benchmark.

        usage: dotnet run --project bench/Dendrite.Bench -c Release -- [--quick] [--write] [--only gemm|train|conv|predict|rnn|attention|disturb[,...]]
                                                                   [--path avx512|avx2|vector128|all[,...]]

          --quick          fewer repetitions (one training run instead of the median of three, 2 convnet and
                           recurrent epochs instead of 3); RESULTS.md is not written
          --write          write bench/RESULTS.md even with --quick or --only
          --only SECTIONS  run only these sections (comma-separated); the machine peak is always measured
          --path PATHS     the kernels' SIMD paths to measure (comma-separated): avx512, avx2, vector128, or all
                           that the machine can run; default: the machine's own, plus avx2 when it has AVX-512.
                           A narrower path runs in a child process with AVX-512 (and AVX2) turned off in the runtime
          --runs N         dense training runs per framework (default 3, 1 with --quick); the convnet runs once
          --epochs N       training epochs (default 5 for train; 3 for conv and rnn, 2 with --quick)
        """;
}
