namespace Dendrite;

// Printing: ToString() shows the array exactly as NumPy's print(a) / str(a) does.
public sealed partial class NDArray<T>
{
    /// <summary>
    /// The elements as NumPy's <c>print(a)</c> shows them with the default print options, e.g.
    /// <c>[[ 0  1  2  3]\n [ 4  5  6  7]\n [ 8  9 10 11]]</c> or <c>[0.1  0.25 1.  ]</c>: right-aligned to a common
    /// width, wrapped at 75 characters, summarised with <c>...</c> (first and last 3 items per axis) when the array
    /// has more than 1000 elements, floats with at most 8 fractional digits or in scientific notation, and a
    /// 0-d array as its scalar (<c>0.99997</c>). Always culture-invariant.
    /// </summary>
    public override string ToString() => NumPyFormatter.Format(this);
}
