using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dendrite.Cli.Data;
using Dendrite.Cli.Hosting;
using Dendrite.Cli.Imaging;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite predict MODEL IMAGE…</c>: classifies image files (PNG, JPEG, BMP, GIF) converted as MNIST expects
/// (<see cref="ImageConverter"/>) and prints each one's most probable classes, or a JSON array with <c>--json</c>.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("The classifier (.keras or legacy .h5), taking images such as (28, 28), (28, 28, 1) or (784).");
        var images = new Argument<string[]>("IMAGE")
        {
            Description = "Image files: PNG, JPEG, BMP or GIF. Each is made grey (luma), resized to the model's input size (28×28 for MNIST) " +
                          "by area averaging (aspect ratio not kept: crop to the digit first), scaled to 0–1 and inverted as --invert says.",
            Arity = ArgumentArity.OneOrMore,
            HelpName = "IMAGE",
        };
        images.CompletionSources.Add(CliOptions.PathCompletions(ImageFile.Extensions));
        var top = new Option<int>("--top", "-k") { Description = "How many of the most probable classes to show per image.", HelpName = "N", DefaultValueFactory = _ => 3 };
        CliOptions.Check(top, v => v < 1 ? $"--top must be at least 1, got {v}." : null);
        var invert = new Option<string>("--invert")
        {
            Description = "MNIST digits are white on black. auto: invert a grey image whose mean brightness is above 0.5 (a light background); yes: always; no: never.",
            DefaultValueFactory = _ => "auto",
        };
        invert.AcceptOnlyFromAmong("auto", "yes", "no");
        var json = new Option<bool>("--json") { Description = "Print a JSON array (file, inverted, top classes with probabilities) instead of text." };
        var command = new Command("predict", "Classify image files with a model: the top classes and their probabilities per image.")
        {
            model, images, top, invert, json,
        };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            var loaded = ModelFiles.Load(modelPath, compile: false);
            var geometry = ModelData.Geometry(loaded, modelPath)
                ?? throw CliException.DataMismatch($"'{modelPath}' takes inputs of shape {ModelData.Format(loaded.InputShape!.Value)}, which is not an image: predict needs (H, W), (H, W, 1), (H, W, 3) or a flat H·W.");
            int classes = ModelData.ClassCount(loaded, modelPath);
            string[] files = parse.GetValue(images)!;
            var mode = Enum.Parse<InvertMode>(parse.GetValue(invert)!, ignoreCase: true);

            // Every file is read before anything is predicted, so that a bad one fails the command with its name.
            var x = new float[files.Length * geometry.Size];
            var inverted = new bool[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                var (values, flipped) = ImageConverter.ToModelInput(ImageFile.Decode(files[i]), geometry, mode);
                values.CopyTo(x, i * geometry.Size);
                inverted[i] = flipped;
            }
            var input = ModelData.Inputs(loaded, modelPath, new NDArray<float>(x, files.Length, geometry.Height, geometry.Width, geometry.Channels), "images");
            var scores = DataErrors.Guard(() => loaded.Predict(input, verbose: 0));

            var results = new List<Prediction>();
            for (int i = 0; i < files.Length; i++)
                results.Add(new Prediction(files[i], inverted[i], Ranked(scores[i].AsSpan().ToArray(), classes, parse.GetValue(top))));
            Console.Out.Write(parse.GetValue(json) ? ToJson(results) : ToText(results));
            return ExitCodes.Success;
        });
        return command;
    }

    private sealed record Prediction(string File, bool Inverted, IReadOnlyList<(int Class, float Probability)> Top);

    /// <summary>The <paramref name="count"/> most probable classes, highest first (ties by class index).</summary>
    private static List<(int Class, float Probability)> Ranked(float[] scores, int classes, int count)
    {
        // One sigmoid unit is the probability of class 1.
        float[] probabilities = scores.Length == 1 ? [1f - scores[0], scores[0]] : scores;
        return [.. Enumerable.Range(0, classes).Select(c => (c, probabilities[c]))
            .OrderByDescending(p => p.Item2).ThenBy(p => p.c).Take(count)];
    }

    private static string ToText(List<Prediction> results)
    {
        var text = new System.Text.StringBuilder();
        foreach (var r in results)
        {
            text.Append(r.File).Append(':');
            foreach (var (c, p) in r.Top) text.Append(CultureInfo.InvariantCulture, $"  {c} ({p:F4})");
            if (r.Inverted) text.Append("  [inverted]");
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string ToJson(List<Prediction> results)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var r in results)
            {
                writer.WriteStartObject();
                writer.WriteString("file", r.File);
                writer.WriteBoolean("inverted", r.Inverted);
                writer.WriteStartArray("top");
                foreach (var (c, p) in r.Top)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("class", c);
                    writer.WriteNumber("probability", p);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
