using System.Globalization;
using System.Text.Json;
using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary>
/// <c>dendrite predict</c> on PNG, JPEG and BMP files drawn from real MNIST test digits, with the trained model: the
/// conversion (grey, area-average resize, 0–1, inversion) gives the model MNIST's own input, and the classes are right.
/// </summary>
[Collection(TrainedModelCollection.Name)]
public class PredictTests(TrainedModelFixture trained)
{
    /// <summary>The first MNIST test digits, which are 7, 2, 1, 0, 4 (clear ones that any trained classifier gets right).</summary>
    private static readonly int[] Digits = [0, 1, 2, 3, 4];

    private static readonly int[] Labels = [7, 2, 1, 0, 4];

    private readonly string _folder = TestPaths.NewTempFolder("predict");

    [Fact]
    public void ExactPngsGiveTheLibrarysProbabilitiesForMnistsInput()
    {
        // A 28×28 PNG of the digit's own pixels, and a 4× enlargement drawn black on white: after conversion both are
        // MNIST's input exactly (the area average undoes the enlargement, the inversion the colours).
        var files = new List<string>();
        foreach (int i in Digits)
        {
            string plain = Path.Combine(_folder, $"digit{i}.png"), big = Path.Combine(_folder, $"digit{i}-big-inverted.png");
            TestImages.WritePng(plain, TestImages.Digit(i), 28);
            TestImages.WritePng(big, TestImages.Invert(TestImages.Upscale(TestImages.Digit(i), 28, 4)), 112);
            files.AddRange([plain, big]);
        }
        var run = Tool.Run(["predict", trained.TrainedPath, .. files, "--json", "--top", "10"], null);
        Assert.True(run.ExitCode == 0, run.ToString());

        var model = Model.Load(trained.TrainedPath);
        var expected = model.Predict(TestImages.MnistTest.Images[0..5].AsType<float>() / 255f, verbose: 0);
        using var json = JsonDocument.Parse(run.StdOut);
        var results = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(files.Count, results.Count);
        for (int r = 0; r < results.Count; r++)
        {
            int digit = r / 2;
            Assert.Equal(files[r], results[r].GetProperty("file").GetString());
            Assert.Equal(r % 2 == 1, results[r].GetProperty("inverted").GetBoolean()); // auto: only the light one
            var top = results[r].GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(10, top.Count);
            Assert.Equal(Labels[digit], top[0].GetProperty("class").GetInt32());
            foreach (var entry in top)
                Assert.Equal(expected[digit, entry.GetProperty("class").GetInt32()], entry.GetProperty("probability").GetSingle(), 1e-5f);
            var probabilities = top.Select(t => t.GetProperty("probability").GetDouble()).ToList();
            Assert.Equal(probabilities.OrderDescending(), probabilities);
            Assert.Equal(1.0, probabilities.Sum(), 4);
        }
    }

    [Fact]
    public void JpegAndBmpFilesArePredictedAsTheirDigits()
    {
        var files = new List<string>();
        foreach (int i in Digits)
        {
            string jpeg = Path.Combine(_folder, $"scan{i}.jpg"), bmp = Path.Combine(_folder, $"paint{i}.bmp");
            // A JPEG "scan" at 3× (lossy, dark on light) and a 2× RGB bitmap as a paint program saves it.
            TestImages.WriteJpeg(jpeg, TestImages.Invert(TestImages.Upscale(TestImages.Digit(i), 28, 3)), 84);
            TestImages.WriteBmp(bmp, TestImages.Upscale(TestImages.Digit(i), 28, 2), 56);
            files.AddRange([jpeg, bmp]);
        }
        var run = Tool.Run(["predict", trained.TrainedPath, .. files], null);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, lines.Length);
        for (int r = 0; r < files.Count; r++)
        {
            // "<file>:  7 (0.9981)  3 (0.0012)  2 (0.0004)" and "[inverted]" for the light JPEGs.
            Assert.StartsWith(files[r] + ":  " + Labels[r / 2].ToString(CultureInfo.InvariantCulture) + " (", lines[r]);
            Assert.Equal(3, lines[r].Split(" (").Length - 1);
            Assert.Equal(r % 2 == 0, lines[r].EndsWith("[inverted]", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AKerasConvnetTakesTheSameFilesAsChannelLastImages()
    {
        // Input (28, 28, 1), weights trained by Python Keras: the converted images are reshaped to it.
        var files = Digits.Select(i =>
        {
            string path = Path.Combine(_folder, $"cnn{i}.png");
            TestImages.WritePng(path, TestImages.Invert(TestImages.Upscale(TestImages.Digit(i), 28, 2)), 56);
            return path;
        }).ToList();
        var run = Tool.Run(["predict", Path.Combine(TestPaths.KerasFixtures, "mnist_cnn_keras3.12.0.keras"), .. files, "--json", "--top", "1"], null);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StdOut);
        Assert.Equal(Labels, json.RootElement.EnumerateArray().Select(r => r.GetProperty("top")[0].GetProperty("class").GetInt32()));
        Assert.All(json.RootElement.EnumerateArray(), r => Assert.True(r.GetProperty("top")[0].GetProperty("probability").GetDouble() > 0.9));
    }

    [Fact]
    public void InvertNoKeepsALightImageAsItIs()
    {
        string light = Path.Combine(_folder, "light.png");
        TestImages.WritePng(light, TestImages.Invert(TestImages.Digit(0)), 28);
        var auto = Tool.Run("predict", trained.TrainedPath, light, "--top", "1");
        var no = Tool.Run("predict", trained.TrainedPath, light, "--top", "1", "--invert", "no");
        Assert.True(auto.ExitCode == 0 && no.ExitCode == 0, auto + "\n" + no);
        Assert.StartsWith(light + ":  7 (", auto.StdOut);
        Assert.EndsWith("[inverted]\n", auto.StdOut);
        Assert.DoesNotContain("[inverted]", no.StdOut);
        var yes = Tool.Run("predict", trained.TrainedPath, light, "--invert", "yes", "--json");
        Assert.True(JsonDocument.Parse(yes.StdOut).RootElement[0].GetProperty("inverted").GetBoolean());
    }

    [Fact]
    public void ACorruptImageIsNamedWithExitCode3()
    {
        string good = Path.Combine(_folder, "good.png"), corrupt = Path.Combine(_folder, "corrupt.png"), truncated = Path.Combine(_folder, "truncated.png");
        TestImages.WritePng(good, TestImages.Digit(0), 28);
        File.WriteAllText(corrupt, "this is not a PNG at all");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good)[..40]);
        foreach (string bad in new[] { corrupt, truncated })
        {
            var run = Tool.Run("predict", trained.TrainedPath, good, bad);
            Assert.True(run.ExitCode == 3, run.ToString());
            Assert.Contains($"'{bad}' is not", run.StdErr);
            Assert.Equal("", run.StdOut); // nothing is predicted when one file is bad
            Assert.DoesNotContain("   at ", run.StdErr);
        }
        var missing = Tool.Run("predict", trained.TrainedPath, Path.Combine(_folder, "nowhere.png"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains($"Image file not found: '{Path.Combine(_folder, "nowhere.png")}'", missing.StdErr);
    }
}
