using System.Diagnostics;
using Dendrite.Autodiff;

namespace Dendrite.Distribution;

/// <summary>
/// Averages the gradients of one training step across the ranks: each rank scales its gradient (of the mean loss
/// over its local samples) by local / global samples, and the sum over ranks is then the gradient of the mean loss
/// over the whole global batch.
/// </summary>
/// <remarks>
/// <para>
/// The gradients travel in buckets of about <see cref="DataParallel.BucketBytes"/>, filled with the variables in
/// reverse order (the order the backward pass completes them, as PyTorch's DDP), each bucket one contiguous slice of
/// a flat buffer and one non-blocking allreduce. With <see cref="DataParallel.Overlap"/>, a bucket is sent as soon
/// as the backward pass has run the last op that writes any of its gradients, so the reduction of the last layers
/// travels while the first layers are still being differentiated; the buckets are always started in the same order
/// on every rank (MPI's rule for collectives), whether or not a rank overlaps, calibrates or has an empty shard.
/// </para>
/// <para>
/// Which op completes which gradient is learned per recorded step plan from its first backward pass
/// (<see cref="Tensor.LastGradWriter"/>); that first step of each plan sends its buckets after the backward pass.
/// </para>
/// </remarks>
internal sealed class GradientAverager : IBackwardObserver
{
    private readonly DataParallel _distribution;
    private readonly Variable[] _variables;        // in bucket order: the model's trainable variables reversed
    private readonly int[] _offsets;               // each variable's offset in _flat
    private readonly (int First, int End)[] _buckets; // variable ranges
    private readonly float[] _flat;
    private readonly IPendingReduction?[] _pending;
    private readonly Dictionary<object, int[]> _readiness = new(ReferenceEqualityComparer.Instance);
    private int[]? _ready;   // the current plan's: after which op index each bucket is complete (-1: at the end)
    private int _launched;   // buckets started so far in this step
    private int _completed;  // buckets known complete (in order) so far in this step
    private float _scale;
    private bool _empty;

    public GradientAverager(DataParallel distribution, IReadOnlyList<Variable> variables)
    {
        _distribution = distribution;
        _variables = [.. variables.Reverse()];
        _offsets = new int[_variables.Length];
        var buckets = new List<(int, int)>();
        int offset = 0, first = 0;
        long bucketFloats = Math.Max(1, distribution.BucketBytes / sizeof(float));
        for (int v = 0; v < _variables.Length; v++)
        {
            _offsets[v] = offset;
            offset += _variables[v].Shape.Size;
            if (offset - _offsets[first] >= bucketFloats || v == _variables.Length - 1)
            {
                buckets.Add((first, v + 1));
                first = v + 1;
            }
        }
        _buckets = [.. buckets];
        _flat = new float[offset];
        _pending = new IPendingReduction?[_buckets.Length];
    }

    /// <summary>The number of buckets (one allreduce each per step).</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>
    /// Starts a step. <paramref name="plan"/> identifies the recorded step (null: eager or no backward pass);
    /// <paramref name="localCount"/> 0 means this rank has no samples in this global batch and sends zeros.
    /// </summary>
    public void BeginStep(object? plan, int localCount, int globalCount)
    {
        _scale = (float)((double)localCount / globalCount);
        _empty = localCount == 0;
        _launched = 0;
        _completed = 0;
        _ready = plan is not null && _distribution.Overlap && _readiness.TryGetValue(plan, out var ready) ? ready : null;
    }

    /// <inheritdoc/>
    public void AfterOp(int index)
    {
        if (_ready is null) return;
        while (_launched < _buckets.Length && index <= _ready[_launched]) Launch(_launched++);
        // Give the buckets in flight a turn of MPI's progress engine between the ops of the backward pass.
        while (_completed < _launched && _pending[_completed]!.Test()) _completed++;
    }

    /// <summary>Sends what is left, waits for every bucket and writes the averaged gradients back.</summary>
    public void FinishStep(object? plan)
    {
        while (_launched < _buckets.Length) Launch(_launched++);
        long start = Stopwatch.GetTimestamp();
        for (int b = 0; b < _buckets.Length; b++)
        {
            _pending[b]!.Wait();
            _pending[b] = null;
        }
        _distribution.RecordWait(Stopwatch.GetTimestamp() - start);
        for (int v = 0; v < _variables.Length; v++)
        {
            var buffer = _variables[v].Value.GradBuffer ?? throw new InvalidOperationException(
                $"Rank {_distribution.Rank} has no gradient buffer for '{_variables[v].Name}': its first batch shard was empty. Use a batch size of at least the number of ranks ({_distribution.Size}).");
            _flat.AsSpan(_offsets[v], _variables[v].Shape.Size).CopyTo(buffer);
        }
        if (plan is not null && !_empty && !_readiness.ContainsKey(plan)) _readiness[plan] = Calibrate();
    }

    /// <summary>A whole step without overlap: this rank's gradients (or zeros) averaged across the ranks.</summary>
    public void Average(int localCount, int globalCount)
    {
        BeginStep(null, localCount, globalCount);
        FinishStep(null);
    }

    private void Launch(int bucket)
    {
        var (first, end) = _buckets[bucket];
        for (int v = first; v < end; v++)
        {
            var target = _flat.AsSpan(_offsets[v], _variables[v].Shape.Size);
            var gradient = _variables[v].Value.GradBuffer;
            if (_empty || gradient is null) target.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(gradient.AsSpan(0, target.Length), _scale, target);
        }
        int offset = _offsets[first];
        int length = (end < _variables.Length ? _offsets[end] : _flat.Length) - offset;
        _pending[bucket] = _distribution.Communicator.StartAllReduceSum(_flat.AsMemory(offset, length));
    }

    /// <summary>
    /// After the plan's first backward pass: bucket b is complete once the op with the lowest index that wrote any of
    /// its gradients has run; unknown writers (0) or unreached variables keep it to the end (-1), which is always safe.
    /// </summary>
    private int[] Calibrate()
    {
        var ready = new int[_buckets.Length];
        for (int b = 0; b < _buckets.Length; b++)
        {
            int index = int.MaxValue;
            for (int v = _buckets[b].First; v < _buckets[b].End; v++)
            {
                int writer = _variables[v].Value.LastGradWriter;
                index = writer == 0 ? -1 : Math.Min(index, writer - 1);
                if (index < 0) break;
            }
            // Buckets start in order, so a bucket is never started before the one ahead of it.
            ready[b] = b > 0 ? Math.Min(index, ready[b - 1]) : index;
        }
        return ready;
    }
}
