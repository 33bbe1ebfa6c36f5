namespace Dendrite.Datasets;

/// <summary>
/// The Boston Housing prices dataset (StatLib, Carnegie Mellon University): 506 Boston suburbs of the late 1970s,
/// each with 13 attributes, and the median home value in thousands of dollars as target. Mirrors
/// <c>keras.datasets.boston_housing</c>, shuffle and split included.
/// </summary>
/// <remarks>
/// <para>As Keras warns, the dataset has an ethical problem: one attribute ("B") assumes that racial self-segregation
/// affects house prices. Use it, if at all, to illustrate such problems.</para>
/// <para><c>boston_housing.npz</c> (<c>x</c>: 506 × 13 float64, <c>y</c>: 506 float64) is cached and checked against
/// Keras' SHA-256 as for <see cref="Imdb"/>, in the folder <c>datasets/boston_housing</c>.</para>
/// </remarks>
public static class BostonHousing
{
    internal const string DisplayName = "Boston Housing";
    internal const string CacheSubdirectory = "boston_housing";

    /// <summary>Keras' <c>boston_housing.npz</c>.</summary>
    internal static readonly KerasFile DataFile = new("boston_housing.npz", KerasFile.KerasOrigin + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5");

    /// <summary>
    /// Loads Boston Housing, downloading it on first use. The samples are shuffled with NumPy's
    /// <c>RandomState(seed)</c> and split: the first <c>(int)(506 · (1 − testSplit))</c> (404 by default) train, the
    /// other 102 test. Returns <c>((trainFeatures, trainTargets), (testFeatures, testTargets))</c> as float64 arrays of
    /// shapes (n, 13) and (n,), as Keras does; call <c>AsType&lt;float&gt;()</c> for a model.
    /// </summary>
    /// <param name="path">The cache folder (<c>$DENDRITE_HOME/datasets/boston_housing</c> or <c>~/.dendrite/datasets/boston_housing</c> when null).</param>
    /// <param name="testSplit">The fraction held out for testing, in [0, 1) as Keras asserts.</param>
    /// <param name="seed">Seed of the shuffle (0 to 2³¹ − 1).</param>
    /// <exception cref="DatasetException">No source provided a valid <c>boston_housing.npz</c>, or the file is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testSplit"/> is outside [0, 1) or <paramref name="seed"/> is negative.</exception>
    public static ((NDArray<double> TrainFeatures, NDArray<double> TrainTargets), (NDArray<double> TestFeatures, NDArray<double> TestTargets)) LoadData(
        string? path = null, double testSplit = 0.2, int seed = 113) =>
        LoadData(new KerasFileSource(DataFile), path, testSplit, seed);

    /// <summary><see cref="LoadData(string?, double, int)"/> with the file taken from <paramref name="source"/>.</summary>
    internal static ((NDArray<double> TrainFeatures, NDArray<double> TrainTargets), (NDArray<double> TestFeatures, NDArray<double> TestTargets)) LoadData(
        KerasFileSource source, string? path, double testSplit = 0.2, int seed = 113)
    {
        if (!(testSplit >= 0 && testSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(testSplit), testSplit, $"testSplit must be in [0, 1), got {testSplit}.");
        var rng = NumPyRandomState.FromSeed(seed, nameof(seed));
        var (bytes, file) = source.Load(DisplayName, CacheSubdirectory, path);
        double[] x, y;
        long[] xShape, yShape;
        using (var npz = KerasNpz.Open(bytes, file))
        {
            (x, xShape) = npz.ReadFloats("x");
            (y, yShape) = npz.ReadFloats("y");
        }
        if (xShape.Length != 2)
            throw new DatasetException($"{file}: 'x' should be 2-D (samples, features), found shape {NpyHeader.Format(xShape)}");
        if (yShape.Length != 1 || yShape[0] != xShape[0])
            throw new DatasetException($"{file}: 'y' should hold one target per sample, shape ({xShape[0]},), found {NpyHeader.Format(yShape)}");

        int n = (int)xShape[0], features = (int)xShape[1];
        int[] order = rng.Permutation(n);
        int split = (int)(n * (1 - testSplit));
        return ((Rows(x, features, order[..split]), Rows(y, 1, order[..split], vector: true)),
                (Rows(x, features, order[split..]), Rows(y, 1, order[split..], vector: true)));
    }

    /// <summary>The rows <paramref name="indices"/> of a C-order (n, width) array, in that order.</summary>
    private static NDArray<double> Rows(double[] data, int width, int[] indices, bool vector = false)
    {
        var result = new double[indices.Length * width];
        for (int i = 0; i < indices.Length; i++)
            Array.Copy(data, indices[i] * width, result, i * width, width);
        return vector ? new NDArray<double>(result, indices.Length) : new NDArray<double>(result, indices.Length, width);
    }
}
