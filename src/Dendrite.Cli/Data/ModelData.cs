using Dendrite.Cli.Hosting;
using Dendrite.Cli.Imaging;
using Dendrite.Losses;

namespace Dendrite.Cli.Data;

/// <summary>
/// Fits loaded data to a model: the samples reshaped to the model's input shape when they hold as many values, the
/// labels checked against the model's classes (and one-hot encoded for categorical cross-entropy). Anything that does
/// not fit is an <see cref="ExitCodes.DataMismatch"/> error naming the model's shape and the data's.
/// </summary>
internal static class ModelData
{
    /// <summary>The model's per-sample input shape; refuses models the command line cannot feed (several inputs or outputs).</summary>
    public static Shape InputShape(Model model, string modelPath)
    {
        if (model.Inputs.Count > 1 || model.Outputs.Count > 1)
            throw CliException.DataMismatch($"'{modelPath}' has {model.Inputs.Count} inputs and {model.Outputs.Count} outputs; dendrite feeds models with one input and one output.");
        return model.InputShape
            ?? throw CliException.DataMismatch($"'{modelPath}' is not built (it has no input shape); build it with an InputLayer before saving.");
    }

    /// <summary>The image size the model takes, or null when its input is not image-like.</summary>
    public static ImageGeometry? Geometry(Model model, string modelPath) => ImageGeometry.FromInputShape(InputShape(model, modelPath));

    /// <summary><paramref name="x"/> reshaped to (N, …model input shape).</summary>
    public static NDArray<float> Inputs(Model model, string modelPath, NDArray<float> x, string origin)
    {
        var shape = InputShape(model, modelPath);
        var sample = new Shape(x.Shape.ToArray()[1..]);
        if (sample.Size != shape.Size)
            throw CliException.DataMismatch(
                $"The data does not fit the model: '{modelPath}' takes inputs of shape {Format(shape)} ({shape.Size} values a sample), " +
                $"the {origin} has samples of shape {Format(sample)} ({sample.Size} values).");
        return x.Reshape([x.Shape[0], .. shape.ToArray()]);
    }

    /// <summary>How many classes the model's output scores: its last axis, or 2 for one sigmoid unit.</summary>
    public static int ClassCount(Model model, string modelPath)
    {
        var output = model.OutputShape
            ?? throw CliException.DataMismatch($"'{modelPath}' is not built (it has no output shape).");
        if (output.Rank != 1)
            throw CliException.DataMismatch($"'{modelPath}' outputs shape {Format(output)}; dendrite's train, evaluate and predict expect class scores, shape (None, classes).");
        return output[0] == 1 ? 2 : output[0];
    }

    /// <summary>The targets for <c>Fit</c>/<c>Evaluate</c>: the labels, checked to be classes the model has, one-hot for categorical cross-entropy.</summary>
    public static NDArray Targets(Model model, string modelPath, DataSplit data)
    {
        int classes = ClassCount(model, modelPath);
        var labels = data.Labels.AsSpan();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw CliException.DataMismatch(
                    $"The data does not fit the model: sample {i} of the {data.Origin} has label {labels[i]}, but '{modelPath}' outputs {model.OutputShape!.Value[0]} " +
                    $"value(s), i.e. classes 0..{classes - 1}{(data.ClassNames is { } names ? $" (the data has {names.Count} classes)" : "")}.");
        return model.Loss is CategoricalCrossentropy ? Utils.ToCategorical(data.Labels, classes) : data.Labels;
    }

    /// <summary>Keras' notation for a per-sample shape: (None, 28, 28, 1).</summary>
    public static string Format(Shape sample) => sample.Rank == 0 ? "(None,)" : $"(None, {string.Join(", ", sample.ToArray())})";
}
