using System.IO.Compression;
using Dendrite.Tests.Acceptance;
using PureHDF;

namespace Dendrite.Tests.Saving;

/// <summary>
/// The Keras fixtures' outputs as Keras computes them — conv (HWIO kernels, valid padding), ReLU, 2×2 max pooling,
/// channels-last flatten, dense, softmax — evaluated here in float64 from weights read straight out of the files with
/// PureHDF (not through Dendrite's loader), against what Model.Load + Predict give: within 1e-5 on every probability.
/// </summary>
public sealed class KerasReferenceOutputTests(MnistFixture data) : IClassFixture<MnistFixture>
{
    private const int Images = 64;

    [Theory]
    [InlineData("mnist_convnet_keras3.1.1.keras")]
    [InlineData("mnist_cnn_keras3.12.0.keras")]
    [InlineData("mnist_convnet_keras3.1.1_legacy.h5")]
    [InlineData("mnist_cnn_keras3.12.0_legacy.h5")]
    public void PredictionsMatchAFloat64EvaluationOfKerasArithmetic(string fixture)
    {
        string path = Path.Combine(KerasFixtures.RequireFolder(), fixture);
        var weights = ReadWeights(path);
        var x = data.TestImages[0..Images].Reshape(Images, 28, 28, 1).AsType<float>() / 255f;

        var predicted = Model.Load(path).Predict(x, verbose: 0).AsSpan().ToArray();

        var pixels = x.AsSpan().ToArray();
        double worst = 0;
        for (int n = 0; n < Images; n++)
        {
            var expected = Forward(pixels.AsSpan(n * 784, 784), weights);
            for (int k = 0; k < 10; k++) worst = Math.Max(worst, Math.Abs(expected[k] - predicted[n * 10 + k]));
        }
        Assert.True(worst <= 1e-5, $"largest difference {worst:E3}");
    }

    /// <summary>The kernels and biases in layer order: conv, conv, then one or two dense layers.</summary>
    private static List<(float[] Values, int[] Shape)> ReadWeights(string path)
    {
        Stream stream;
        if (path.EndsWith(".keras", StringComparison.Ordinal))
        {
            using var zip = ZipFile.OpenRead(path);
            var copy = new MemoryStream();
            using (var member = zip.GetEntry("model.weights.h5")!.Open()) member.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        else stream = File.OpenRead(path);
        using var file = H5File.Open(stream, leaveOpen: false);
        var result = new List<(float[], int[])>();
        var datasets = new List<IH5Dataset>();
        void Collect(IH5Group group)
        {
            foreach (var child in group.Children().OrderBy(c => c.Name, StringComparer.Ordinal))
                if (child is IH5Group g) Collect(g); else if (child is IH5Dataset d) datasets.Add(d);
        }
        if (file.LinkExists("layers"))
            foreach (string layer in new[] { "conv2d", "conv2d_1", "dense", "dense_1" })
            {
                if (!file.LinkExists($"layers/{layer}/vars/0")) continue;
                datasets.Add((IH5Dataset)file.Get($"layers/{layer}/vars/0"));
                datasets.Add((IH5Dataset)file.Get($"layers/{layer}/vars/1"));
            }
        else
            foreach (string layer in new[] { "conv2d", "conv2d_1", "dense", "dense_1" })
            {
                if (!file.LinkExists($"model_weights/{layer}")) continue;
                var found = new List<IH5Dataset>();
                datasets.Clear();
                Collect(file.Group($"model_weights/{layer}"));
                found.AddRange(datasets.Where(d => d.Name.StartsWith("kernel", StringComparison.Ordinal)));
                found.AddRange(datasets.Where(d => d.Name.StartsWith("bias", StringComparison.Ordinal)));
                foreach (var d in found) result.Add((d.Read<float[]>(), d.Space.Dimensions.Select(v => (int)v).ToArray()));
                datasets.Clear();
            }
        foreach (var d in datasets) result.Add((d.Read<float[]>(), d.Space.Dimensions.Select(v => (int)v).ToArray()));
        return result;
    }

    private static double[] Forward(ReadOnlySpan<float> image, List<(float[] Values, int[] Shape)> w)
    {
        double[] a = [.. image.ToArray().Select(v => (double)v)];
        int h = 28, width = 28, c = 1;
        for (int layer = 0; layer < 2; layer++)
        {
            var (k, ks) = w[2 * layer];
            var b = w[2 * layer + 1].Values;
            (a, h, width, c) = ConvRelu(a, h, width, c, k, ks[0], ks[1], ks[3], b);
            (a, h, width) = MaxPool2(a, h, width, c);
        }
        for (int layer = 2; 2 * layer < w.Count; layer++)
        {
            var (k, ks) = w[2 * layer];
            var b = w[2 * layer + 1].Values;
            var y = new double[ks[1]];
            for (int o = 0; o < ks[1]; o++)
            {
                double s = b[o];
                for (int i = 0; i < ks[0]; i++) s += a[i] * k[i * ks[1] + o];
                y[o] = s;
            }
            bool last = 2 * layer + 2 == w.Count;
            a = last ? Softmax(y) : [.. y.Select(v => Math.Max(v, 0))];
        }
        return a;
    }

    private static (double[], int, int, int) ConvRelu(double[] x, int h, int w, int c, float[] k, int kh, int kw, int filters, float[] bias)
    {
        int oh = h - kh + 1, ow = w - kw + 1;
        var y = new double[oh * ow * filters];
        for (int r = 0; r < oh; r++)
            for (int s = 0; s < ow; s++)
                for (int f = 0; f < filters; f++)
                {
                    double acc = bias[f];
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            for (int ch = 0; ch < c; ch++)
                                acc += x[((r + i) * w + s + j) * c + ch] * k[((i * kw + j) * c + ch) * filters + f];
                    y[(r * ow + s) * filters + f] = Math.Max(acc, 0);
                }
        return (y, oh, ow, filters);
    }

    private static (double[], int, int) MaxPool2(double[] x, int h, int w, int c)
    {
        int oh = h / 2, ow = w / 2;
        var y = new double[oh * ow * c];
        for (int r = 0; r < oh; r++)
            for (int s = 0; s < ow; s++)
                for (int ch = 0; ch < c; ch++)
                {
                    double m = double.NegativeInfinity;
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++) m = Math.Max(m, x[((2 * r + i) * w + 2 * s + j) * c + ch]);
                    y[(r * ow + s) * c + ch] = m;
                }
        return (y, oh, ow);
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }
}
