using Dendrite;

namespace DigitServer;

/// <summary>The answer for one image: the most probable digit and the ten class probabilities.</summary>
/// <param name="Digit">The digit with the highest probability.</param>
/// <param name="Probabilities">The softmax output, one probability per digit 0–9.</param>
internal sealed record DigitPrediction(int Digit, float[] Probabilities);

/// <summary>
/// The one model the server loads at start-up, shared by every request: <see cref="Model.Predict(NDArray, int, int,
/// IEnumerable{Dendrite.Callbacks.Callback}?)"/> may be called from many threads at once (the library's concurrency
/// tests check that concurrent calls give bit-identical answers), and nothing here trains it.
/// </summary>
internal sealed class DigitClassifier
{
    private readonly Model _model;
    private readonly int[] _batchShape;

    /// <summary>Wraps <paramref name="model"/> after checking it takes 784 pixels and gives 10 scores.</summary>
    /// <param name="model">A model with one input of 784 values in any layout (28×28×1, 28×28, 784) and one output of 10.</param>
    /// <param name="source">Where the model came from, for the error message.</param>
    internal DigitClassifier(Model model, string source)
    {
        if (model.Inputs.Count != 1 || model.Outputs.Count != 1)
            throw new InvalidDataException($"{source}: a digit classifier has one input and one output; this model has {model.Inputs.Count} inputs and {model.Outputs.Count} outputs.");
        var input = model.Inputs[0].Shape;
        var output = model.Outputs[0].Shape;
        if (input.ToArray().Any(d => d <= 0) || input.Size != PixelCount)
            throw new InvalidDataException($"{source}: the model's input must hold {PixelCount} pixels per image (28, 28, 1), (28, 28) or ({PixelCount},); it is {input}.");
        if (output.Rank != 1 || output[0] != 10)
            throw new InvalidDataException($"{source}: the model's output must be 10 scores per image (10,); it is {output}.");
        _model = model;
        _batchShape = [1, .. input.ToArray()];
    }

    /// <summary>Pixels per image: 28 × 28, row-major.</summary>
    internal const int PixelCount = 28 * 28;

    /// <summary>Classifies one 28×28 image of values in 0..1, white digit on black (as MNIST).</summary>
    internal DigitPrediction Predict(float[] pixels)
    {
        if (pixels.Length != PixelCount)
            throw new ArgumentException($"Expected {PixelCount} pixels, got {pixels.Length}.", nameof(pixels));
        var output = _model.Predict(new NDArray<float>(pixels, _batchShape), batchSize: 1, verbose: 0);
        float[] probabilities = output.AsSpan().ToArray();
        int digit = 0;
        for (int i = 1; i < probabilities.Length; i++)
            if (probabilities[i] > probabilities[digit]) digit = i;
        return new DigitPrediction(digit, probabilities);
    }

    /// <summary>
    /// Loads <paramref name="path"/>; when no path was given and the default model is missing, trains and saves it.
    /// A model given with <c>--model</c> must exist: a mistyped path is an error, not a reason to train.
    /// </summary>
    internal static DigitClassifier LoadOrTrain(string? path, TextWriter log)
    {
        if (path is not null)
        {
            string full = Path.GetFullPath(path);
            if (!File.Exists(full))
                throw new FileNotFoundException($"--model {path}: there is no file at {full}. Leave --model out to use (and on first start train) the default model {ModelLocation.DefaultModelPath()}.", full);
            return Load(full, log);
        }
        string defaultPath = ModelLocation.DefaultModelPath();
        return File.Exists(defaultPath) ? Load(defaultPath, log) : new DigitClassifier(DigitModelTrainer.TrainAndSave(defaultPath, log), defaultPath);
    }

    private static DigitClassifier Load(string path, TextWriter log)
    {
        var classifier = new DigitClassifier(Model.Load(path, compile: false), path);
        log.WriteLine($"Loaded the model {path}.");
        return classifier;
    }
}
