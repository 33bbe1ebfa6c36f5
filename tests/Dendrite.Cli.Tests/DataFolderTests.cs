using System.Buffers.Binary;
using Dendrite.Cli.Tests.Support;
using Dendrite.Layers;

namespace Dendrite.Cli.Tests;

/// <summary>
/// <c>--data DIR</c>: Keras' image-folder layout (train/&lt;class&gt;/*, test/&lt;class&gt;/*, classes sorted = labels) and a
/// folder of raw IDX files that are not MNIST's (no checksum to match), both made from real MNIST digits.
/// </summary>
public class DataFolderTests
{
    private readonly string _folder = TestPaths.NewTempFolder("data");

    [Fact]
    public void AnImageFolderTrainsAndEvaluatesWithSortedClassNames()
    {
        // Two classes named so that their sorted order is "ones" (label 0) then "zeros" (label 1), the reverse of the digits.
        var (trainImages, trainLabels) = TestImages.MnistTrain;
        var (testImages, testLabels) = TestImages.MnistTest;
        string data = Path.Combine(_folder, "digits");
        int Write(string split, NDArray<byte> images, NDArray<byte> labels, int perClass)
        {
            int written = 0;
            foreach (var (digit, name) in new[] { (0, "zeros"), (1, "ones") })
            {
                string folder = Directory.CreateDirectory(Path.Combine(data, split, name)).FullName;
                var labelValues = labels.ToArray();
                var indices = Enumerable.Range(0, labels.Length).Where(i => labelValues[i] == digit).Take(perClass).ToList();
                foreach (int i in indices)
                {
                    // A mix of formats, as a real folder has.
                    byte[] pixels = images[i].ToArray();
                    string stem = Path.Combine(folder, $"{i:D5}");
                    if (i % 3 == 0) TestImages.WritePng(stem + ".png", pixels, 28);
                    else if (i % 3 == 1) TestImages.WriteBmp(stem + ".bmp", pixels, 28);
                    else TestImages.WriteJpeg(stem + ".jpg", pixels, 28, quality: 100);
                    written++;
                }
            }
            return written;
        }
        Assert.Equal(200, Write("train", trainImages, trainLabels, 100));
        Assert.Equal(60, Write("test", testImages, testLabels, 30));
        File.WriteAllText(Path.Combine(data, "train", "ones", "notes.txt"), "not an image: ignored");

        var model = new Sequential(new InputLayer(shape: [28, 28, 1]), new Flatten(), new Dense(2, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        string untrained = Path.Combine(_folder, "binary.keras"), trained = Path.Combine(_folder, "binary-trained.keras");
        model.Save(untrained);

        var train = Tool.Run("train", untrained, "--data", data, "--epochs", "5", "--batch-size", "20", "--out", trained, "--seed", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains($"Training on 200 samples of the training set in {data} (10% held out for validation).", train.StdOut);

        var evaluate = Tool.Run("evaluate", trained, "--data", data);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        var output = new EvaluateOutput(evaluate.StdOut);
        Assert.Equal(["0 ones", "1 zeros"], output.Report.Take(2).Select(r => r.Label));
        Assert.Equal([30, 30], output.Report.Take(2).Select(r => r.Support));
        Assert.InRange(output.Metrics["accuracy"], 0.95, 1.0);
    }

    [Fact]
    public void ARawIdxFolderOfAnySizeReads()
    {
        var (testImages, testLabels) = TestImages.MnistTest;
        string data = Directory.CreateDirectory(Path.Combine(_folder, "idx")).FullName;
        WriteIdx(Path.Combine(data, "t10k-images-idx3-ubyte"), testImages[0..300].ToArray(), [300, 28, 28]);
        WriteIdx(Path.Combine(data, "t10k-labels-idx1-ubyte"), testLabels[0..300].ToArray(), [300]);

        string model = Path.Combine(_folder, "m.keras");
        TrainedModelFixture.CreateUntrained(model, seed: 1);
        var run = Tool.Run("evaluate", model, "--data", data);
        Assert.True(run.ExitCode == 0, run.ToString());
        var output = new EvaluateOutput(run.StdOut);
        int[] counts = [.. Enumerable.Range(0, 10).Select(d => testLabels[0..300].ToArray().Count(l => l == d))];
        Assert.Equal(counts, output.Matrix.Select(row => row.Sum()));

        // Labels and images that disagree in number are data that does not fit.
        WriteIdx(Path.Combine(data, "t10k-labels-idx1-ubyte"), testLabels[0..299].ToArray(), [299]);
        var mismatch = Tool.Run("evaluate", model, "--data", data);
        Assert.True(mismatch.ExitCode == 4, mismatch.ToString());
        Assert.Contains("holds 300 images but", mismatch.StdErr);

        // A truncated file is unreadable, and the message names it.
        string images = Path.Combine(data, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1000]);
        var truncated = Tool.Run("evaluate", model, "--data", data);
        Assert.True(truncated.ExitCode == 3, truncated.ToString());
        Assert.Contains($"'{images}' is truncated", truncated.StdErr);

        // A header declaring 1.8 billion values in a tiny file is refused without allocating them.
        WriteIdx(images, new byte[100], [60000, 1000, 30]);
        var huge = Tool.Run("evaluate", model, "--data", data);
        Assert.True(huge.ExitCode == 3, huge.ToString());
        Assert.Contains("60000 × 1000 × 30 = 1800000000 values, it holds 100", huge.StdErr);
    }

    private static void WriteIdx(string path, byte[] values, int[] dims)
    {
        using var file = File.Create(path);
        file.Write([0, 0, 0x08, (byte)dims.Length]);
        Span<byte> word = stackalloc byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            file.Write(word);
        }
        file.Write(values);
    }
}
