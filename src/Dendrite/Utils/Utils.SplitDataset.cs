using System.Globalization;

namespace Dendrite;

public static partial class Utils
{
    /// <summary>
    /// Splits samples and their targets into a left part and a right part (e.g. train and test), like
    /// <c>keras.utils.split_dataset((x, y), left_size=...)</c> on arrays: the first <c>round(leftSize·n)</c> samples
    /// (after an optional shuffle) go left, the rest right.
    /// </summary>
    /// <param name="x">The samples; the first axis counts them.</param>
    /// <param name="y">The targets, one per sample (same length as <paramref name="x"/>).</param>
    /// <param name="leftSize">The fraction of the samples for the left part, strictly between 0 and 1; rounded half to
    /// even as Python's <c>round</c>. Both parts must end up non-empty.</param>
    /// <param name="shuffle">Whether to shuffle the samples (x and y alike) before splitting.</param>
    /// <param name="seed">The shuffle's seed. Without one, the shuffle draws from Dendrite's global generator, so it
    /// is reproducible after <see cref="SetRandomSeed"/>.</param>
    /// <returns>Copies (the inputs are untouched) with the element types of <paramref name="x"/> and <paramref name="y"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays have no sample axis, are empty or differ in length, or a part would be empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leftSize"/> is not strictly between 0 and 1.</exception>
    /// <example><code>var ((xTrain, yTrain), (xTest, yTest)) = Utils.SplitDataset(x, y, leftSize: 0.8, shuffle: true, seed: 42);</code></example>
    public static ((NDArray X, NDArray Y) Left, (NDArray X, NDArray Y) Right) SplitDataset(NDArray x, NDArray y, double leftSize, bool shuffle = false, int? seed = null)
    {
        int n = CheckSplitArrays(x, y);
        if (!(leftSize > 0 && leftSize < 1))
            throw new ArgumentOutOfRangeException(nameof(leftSize), string.Create(CultureInfo.InvariantCulture,
                $"leftSize should be either a positive integer smaller than {n}, or a fraction strictly between 0 and 1. Received: leftSize={leftSize}."));
        int left = (int)Math.Round(leftSize * n, MidpointRounding.ToEven);
        if (left == 0 || left == n)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"With {n} samples, leftSize={leftSize} puts {left} on the left and {n - left} on the right; both splits must be non-empty. Adjust leftSize."), nameof(leftSize));
        return Split(x, y, left, shuffle, seed);
    }

    /// <summary>
    /// Splits samples and their targets so that the first <paramref name="leftSize"/> samples (after an optional
    /// shuffle) go to the left part and the rest to the right, like <c>keras.utils.split_dataset</c> with an
    /// integer <c>left_size</c>.
    /// </summary>
    /// <param name="x">The samples; the first axis counts them.</param>
    /// <param name="y">The targets, one per sample (same length as <paramref name="x"/>).</param>
    /// <param name="leftSize">How many samples go left: at least 1 and fewer than the number of samples.</param>
    /// <param name="shuffle">Whether to shuffle the samples (x and y alike) before splitting.</param>
    /// <param name="seed">The shuffle's seed; without one, Dendrite's global generator (see <see cref="SetRandomSeed"/>).</param>
    /// <returns>Copies (the inputs are untouched) with the element types of <paramref name="x"/> and <paramref name="y"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays have no sample axis, are empty or differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leftSize"/> is not in [1, number of samples).</exception>
    public static ((NDArray X, NDArray Y) Left, (NDArray X, NDArray Y) Right) SplitDataset(NDArray x, NDArray y, int leftSize, bool shuffle = false, int? seed = null)
    {
        int n = CheckSplitArrays(x, y);
        if (leftSize <= 0 || leftSize >= n)
            throw new ArgumentOutOfRangeException(nameof(leftSize), string.Create(CultureInfo.InvariantCulture,
                $"leftSize should be either a positive integer smaller than {n}, or a fraction strictly between 0 and 1. Received: leftSize={leftSize}."));
        return Split(x, y, leftSize, shuffle, seed);
    }

    /// <summary>
    /// <see cref="SplitDataset(NDArray, NDArray, double, bool, int?)"/> for typed arrays: the parts keep their element types.
    /// </summary>
    /// <param name="x">The samples; the first axis counts them.</param>
    /// <param name="y">The targets, one per sample.</param>
    /// <param name="leftSize">The fraction of the samples for the left part, strictly between 0 and 1.</param>
    /// <param name="shuffle">Whether to shuffle the samples before splitting.</param>
    /// <param name="seed">The shuffle's seed; without one, Dendrite's global generator.</param>
    /// <returns>Copies of the left and right parts.</returns>
    /// <typeparam name="TX">The element type of the samples.</typeparam>
    /// <typeparam name="TY">The element type of the targets.</typeparam>
    public static ((NDArray<TX> X, NDArray<TY> Y) Left, (NDArray<TX> X, NDArray<TY> Y) Right) SplitDataset<TX, TY>(NDArray<TX> x, NDArray<TY> y, double leftSize, bool shuffle = false, int? seed = null)
        where TX : unmanaged, System.Numerics.INumber<TX> where TY : unmanaged, System.Numerics.INumber<TY> =>
        Typed<TX, TY>(SplitDataset((NDArray)x, y, leftSize, shuffle, seed));

    /// <summary>
    /// <see cref="SplitDataset(NDArray, NDArray, int, bool, int?)"/> for typed arrays: the parts keep their element types.
    /// </summary>
    /// <param name="x">The samples; the first axis counts them.</param>
    /// <param name="y">The targets, one per sample.</param>
    /// <param name="leftSize">How many samples go left: at least 1 and fewer than the number of samples.</param>
    /// <param name="shuffle">Whether to shuffle the samples before splitting.</param>
    /// <param name="seed">The shuffle's seed; without one, Dendrite's global generator.</param>
    /// <returns>Copies of the left and right parts.</returns>
    /// <typeparam name="TX">The element type of the samples.</typeparam>
    /// <typeparam name="TY">The element type of the targets.</typeparam>
    public static ((NDArray<TX> X, NDArray<TY> Y) Left, (NDArray<TX> X, NDArray<TY> Y) Right) SplitDataset<TX, TY>(NDArray<TX> x, NDArray<TY> y, int leftSize, bool shuffle = false, int? seed = null)
        where TX : unmanaged, System.Numerics.INumber<TX> where TY : unmanaged, System.Numerics.INumber<TY> =>
        Typed<TX, TY>(SplitDataset((NDArray)x, y, leftSize, shuffle, seed));

    private static ((NDArray<TX>, NDArray<TY>), (NDArray<TX>, NDArray<TY>)) Typed<TX, TY>(((NDArray X, NDArray Y) Left, (NDArray X, NDArray Y) Right) split)
        where TX : unmanaged, System.Numerics.INumber<TX> where TY : unmanaged, System.Numerics.INumber<TY> =>
        (((NDArray<TX>)split.Left.X, (NDArray<TY>)split.Left.Y), ((NDArray<TX>)split.Right.X, (NDArray<TY>)split.Right.Y));

    /// <summary>Checks both arrays and returns their common number of samples.</summary>
    private static int CheckSplitArrays(NDArray x, NDArray y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0) throw new ArgumentException($"x needs a sample axis; got shape {x.Shape}.", nameof(x));
        if (y.Rank == 0) throw new ArgumentException($"y needs a sample axis; got shape {y.Shape}.", nameof(y));
        if (x.Length != y.Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"x and y must have the same number of samples: x has {x.Length} (shape {x.Shape}), y has {y.Length} (shape {y.Shape})."), nameof(y));
        if (x.Length == 0) throw new ArgumentException($"Received an empty dataset (x has shape {x.Shape}); there is nothing to split.", nameof(x));
        return x.Length;
    }

    private static ((NDArray X, NDArray Y) Left, (NDArray X, NDArray Y) Right) Split(NDArray x, NDArray y, int left, bool shuffle, int? seed)
    {
        var order = new int[x.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (shuffle) (seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork()).Shuffle(order);
        ReadOnlySpan<int> l = order.AsSpan(0, left), r = order.AsSpan(left);
        return ((x.TakeRows(l), y.TakeRows(l)), (x.TakeRows(r), y.TakeRows(r)));
    }
}
