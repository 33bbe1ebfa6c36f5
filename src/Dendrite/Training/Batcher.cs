using Dendrite.Autodiff;

namespace Dendrite.Training;

/// <summary>
/// Cuts a data set into batches of rows (samples) and converts each batch to float32 tensors in buffers that are
/// allocated once and reused for every batch, the last partial one included.
/// </summary>
internal sealed class Batcher
{
    private readonly NDArray _x;
    private readonly NDArray? _y;
    private readonly float[] _xBuffer;
    private readonly float[] _yBuffer;
    private readonly int _xRowSize;
    private readonly int _yRowSize;

    public Batcher(NDArray x, NDArray? y, int batchSize)
    {
        _x = x;
        _y = y;
        _xRowSize = RowSize(x);
        _yRowSize = y is null ? 0 : RowSize(y);
        _xBuffer = new float[batchSize * _xRowSize];
        _yBuffer = new float[batchSize * Math.Max(1, _yRowSize)];
    }

    private static int RowSize(NDArray a) => a.Length == 0 ? 0 : a.Size / a.Length;

    /// <summary>Gathers <paramref name="rows"/> into the x (and y) tensors of this batch.</summary>
    public (Tensor X, Tensor Y) Gather(ReadOnlySpan<int> rows)
    {
        _x.GatherRows(rows, _xBuffer);
        var xDims = _x.Shape.ToArray();
        xDims[0] = rows.Length;
        var x = new Tensor(_xBuffer, new Shape(xDims), requiresGrad: false, borrowed: false);
        if (_y is null) return (x, x);
        _y.GatherRows(rows, _yBuffer);
        var yDims = _y.Shape.ToArray();
        yDims[0] = rows.Length;
        return (x, new Tensor(_yBuffer, new Shape(yDims), requiresGrad: false, borrowed: false));
    }
}
