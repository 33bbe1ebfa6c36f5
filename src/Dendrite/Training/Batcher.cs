using Dendrite.Autodiff;

namespace Dendrite.Training;

/// <summary>
/// Cuts data sets (one array per model input and per target) into batches of rows (samples) and converts each
/// batch to float32 tensors in buffers that are allocated once and reused for every batch, the last partial one
/// included.
/// </summary>
internal sealed unsafe class Batcher : Kernels.IParallelJob
{
    /// <summary>Batches of fewer floats than this are gathered on the calling thread alone.</summary>
    private const int ParallelThreshold = 1 << 15;

    // The rows of the gather in progress, for the worker threads (a span cannot be a field).
    private int* _rows;
    private int _rowCount;

    private readonly NDArray[] _arrays;   // inputs, then targets
    private readonly float[][] _buffers;
    private readonly int[] _rowSizes;
    private readonly int _inputs;
    private readonly int _floatsPerRow;
    private readonly Dictionary<int, (Tensor[] X, Tensor[] Y)> _tensors = [];

    public Batcher(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray>? y, int batchSize)
    {
        _inputs = x.Count;
        _arrays = [.. x, .. y ?? []];
        _rowSizes = [.. _arrays.Select(RowSize)];
        _floatsPerRow = _rowSizes.Sum();
        // No batch is larger than the data: a one-sample Predict must not allocate a 32-sample buffer.
        int rows = Math.Min(batchSize, Math.Max(1, x[0].Length));
        _buffers = [.. _rowSizes.Select(size => new float[rows * Math.Max(1, size)])];
    }

    /// <summary>One input and at most one target.</summary>
    public Batcher(NDArray x, NDArray? y, int batchSize) : this([x], y is null ? null : [y], batchSize) { }

    private static int RowSize(NDArray a) => a.Length == 0 ? 0 : a.Size / a.Length;

    /// <summary>
    /// Gathers <paramref name="rows"/> into the input and target tensors for a batch of that size. The tensors are
    /// made once per batch size over the same buffers, so later batches of a size get the very same tensor objects
    /// (which a recorded step plan refers to).
    /// </summary>
    public (Tensor[] X, Tensor[] Y) Gather(ReadOnlySpan<int> rows)
    {
        // Copying and converting a batch of images is memory-bound: both cores take a fixed half of the rows.
        fixed (int* pRows = rows)
        {
            _rows = pRows;
            _rowCount = rows.Length;
            Kernels.WorkerPool.Run(this, (long)rows.Length * _floatsPerRow >= ParallelThreshold ? Kernels.WorkerPool.Tiles(rows.Length) : 1);
            _rows = null;
        }
        if (!_tensors.TryGetValue(rows.Length, out var pair))
        {
            var tensors = new Tensor[_arrays.Length];
            for (int i = 0; i < _arrays.Length; i++)
            {
                var dims = _arrays[i].Shape.ToArray();
                dims[0] = rows.Length;
                tensors[i] = new Tensor(_buffers[i], new Shape(dims), requiresGrad: false, borrowed: false);
            }
            _tensors[rows.Length] = pair = (tensors[.._inputs], tensors[_inputs..]);
        }
        return pair;
    }

    /// <summary>Gathers rows [count·part/parts, count·(part+1)/parts) of the current batch, for every array.</summary>
    void Kernels.IParallelJob.Execute(int part, int parts)
    {
        int first = (int)((long)_rowCount * part / parts), last = (int)((long)_rowCount * (part + 1) / parts);
        var rows = new ReadOnlySpan<int>(_rows + first, last - first);
        for (int i = 0; i < _arrays.Length; i++)
        {
            int size = Math.Max(1, _rowSizes[i]);
            _arrays[i].GatherRows(rows, _buffers[i].AsSpan(first * size, rows.Length * size));
        }
    }
}
