using Dendrite.Autodiff;

namespace Dendrite.Training;

/// <summary>
/// Cuts a data set into batches of rows (samples) and converts each batch to float32 tensors in buffers that are
/// allocated once and reused for every batch, the last partial one included.
/// </summary>
internal sealed unsafe class Batcher : Kernels.IParallelJob
{
    /// <summary>Batches of fewer input floats than this are gathered on the calling thread alone.</summary>
    private const int ParallelThreshold = 1 << 15;

    // The rows of the gather in progress, for the worker threads (a span cannot be a field).
    private int* _rows;
    private int _rowCount;

    private readonly NDArray _x;
    private readonly NDArray? _y;
    private readonly float[] _xBuffer;
    private readonly float[] _yBuffer;
    private readonly int _xRowSize;
    private readonly int _yRowSize;
    private readonly Dictionary<int, (Tensor X, Tensor Y)> _tensors = [];

    public Batcher(NDArray x, NDArray? y, int batchSize)
    {
        _x = x;
        _y = y;
        _xRowSize = RowSize(x);
        _yRowSize = y is null ? 0 : RowSize(y);
        // No batch is larger than the data: a one-sample Predict must not allocate a 32-sample buffer.
        int rows = Math.Min(batchSize, Math.Max(1, x.Length));
        _xBuffer = new float[rows * _xRowSize];
        _yBuffer = new float[rows * Math.Max(1, _yRowSize)];
    }

    private static int RowSize(NDArray a) => a.Length == 0 ? 0 : a.Size / a.Length;

    /// <summary>
    /// Gathers <paramref name="rows"/> into the x (and y) tensors for a batch of that size. The tensors are made
    /// once per batch size over the same buffers, so later batches of a size get the very same tensor objects
    /// (which a recorded step plan refers to).
    /// </summary>
    public (Tensor X, Tensor Y) Gather(ReadOnlySpan<int> rows)
    {
        // Copying and converting a batch of images is memory-bound: both cores take a fixed half of the rows.
        fixed (int* pRows = rows)
        {
            _rows = pRows;
            _rowCount = rows.Length;
            Kernels.WorkerPool.Run(this, rows.Length * _xRowSize >= ParallelThreshold ? Kernels.WorkerPool.MaxThreads : 1);
            _rows = null;
        }
        if (!_tensors.TryGetValue(rows.Length, out var pair))
        {
            var xDims = _x.Shape.ToArray();
            xDims[0] = rows.Length;
            var x = new Tensor(_xBuffer, new Shape(xDims), requiresGrad: false, borrowed: false);
            var y = x;
            if (_y is not null)
            {
                var yDims = _y.Shape.ToArray();
                yDims[0] = rows.Length;
                y = new Tensor(_yBuffer, new Shape(yDims), requiresGrad: false, borrowed: false);
            }
            _tensors[rows.Length] = pair = (x, y);
        }
        return pair;
    }

    /// <summary>Gathers rows [count·part/parts, count·(part+1)/parts) of the current batch.</summary>
    void Kernels.IParallelJob.Execute(int part, int parts)
    {
        int first = (int)((long)_rowCount * part / parts), last = (int)((long)_rowCount * (part + 1) / parts);
        var rows = new ReadOnlySpan<int>(_rows + first, last - first);
        _x.GatherRows(rows, _xBuffer.AsSpan(first * _xRowSize, rows.Length * _xRowSize));
        _y?.GatherRows(rows, _yBuffer.AsSpan(first * Math.Max(1, _yRowSize), rows.Length * Math.Max(1, _yRowSize)));
    }
}
