// The crash child: saves a model to one path in an endless loop until it is killed.
//   dotnet exec Dendrite.CrashChild.dll <keras|weights|onnx|checkpoint> <path> <first iteration>
// keras / weights / onnx: iteration k sets the weights from seed k, then Save / SaveWeights / Export; prints
//   "saving k" before and "saved k" after each save.
// checkpoint: trains with ModelCheckpoint(path) saving a .keras file every epoch; epoch e is iteration first+e, and
//   "saving k <digest>" (the SHA-256 of the weights being saved) and "saved k" frame each checkpoint.
// "ready" is printed once everything is loaded and compiled, just before the first save.
using Dendrite;
using Dendrite.Callbacks;
using Dendrite.CrashChild;

if (args.Length != 3 || !int.TryParse(args[2], out int first))
{
    Console.Error.WriteLine("usage: Dendrite.CrashChild <keras|weights|onnx|checkpoint> <path> <first iteration>");
    return 2;
}
string mode = args[0], path = args[1];
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var model = CrashModel.Build();
switch (mode)
{
    case "keras" or "weights" or "onnx":
        // warm up the code paths on a scratch file so "ready" means the loop runs at full speed
        string scratch = Path.Combine(Path.GetTempPath(), $"crash-child-warmup-{Environment.ProcessId}{Path.GetExtension(path)}");
        if (mode == "weights") scratch = scratch.Replace(".h5", ".weights.h5", StringComparison.Ordinal);
        Save(scratch);
        File.Delete(scratch);
        output.WriteLine("ready");
        for (int k = first; ; k++)
        {
            CrashModel.SetIteration(model, k);
            output.WriteLine($"saving {k}");
            Save(path);
            output.WriteLine($"saved {k}");
        }
    case "checkpoint":
        CrashModel.SetIteration(model, first);
        model.Compile(optimizer: "sgd", loss: "mse");
        var x = CrashModel.Probe();
        var y = new NDArray<float>(new float[4 * 10], 4, 10);
        // warm up: one epoch checkpointed to a scratch file, so "ready" means the epochs run at full speed
        string warmup = Path.Combine(Path.GetTempPath(), $"crash-child-warmup-{Environment.ProcessId}.keras");
        model.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [new ModelCheckpoint(warmup)]);
        File.Delete(warmup);
        output.WriteLine("ready");
        model.Fit(x, y, epochs: int.MaxValue, batchSize: 4, shuffle: false, verbose: 0, callbacks:
        [
            new Announce(epoch => $"saving {first + epoch} {CrashModel.Digest(model)}", output),
            new ModelCheckpoint(path),
            new Announce(epoch => $"saved {first + epoch}", output),
        ]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}

void Save(string target)
{
    switch (mode)
    {
        case "keras": model.Save(target); break;
        case "weights": model.SaveWeights(target); break;
        default: model.Export(target); break;
    }
}

/// <summary>Prints a line at the end of every epoch.</summary>
internal sealed class Announce(Func<int, string> line, TextWriter output) : Callback
{
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => output.WriteLine(line(epoch));
}
