namespace Dendrite.Tests.Arrays;

/// <summary>Small builders that read like NumPy's <c>np.arange</c> and <c>np.array</c>.</summary>
internal static class ArrayTestData
{
    public static NDArray<int> Arange(int count, params int[] shape) =>
        new(Enumerable.Range(0, count).ToArray(), shape);

    public static NDArray<double> ArangeDouble(int count, params int[] shape) =>
        new(Enumerable.Range(0, count).Select(i => (double)i).ToArray(), shape);

    /// <summary>A strided (non-contiguous) view: every <paramref name="step"/>-th element of a fresh buffer.</summary>
    public static NDArray<T> EveryNth<T>(T[] buffer, int step, int count) where T : unmanaged, System.Numerics.INumber<T> =>
        new(buffer, 0, new Shape(count), [step]);
}
