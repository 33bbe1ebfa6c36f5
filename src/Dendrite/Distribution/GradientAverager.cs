using Dendrite.Autodiff;

namespace Dendrite.Distribution;

/// <summary>
/// Averages the gradients of one training step across the ranks: each rank scales its gradient (of the mean loss
/// over its local samples) by local / global samples, and the sum over ranks is then the gradient of the mean loss
/// over the whole global batch. One flat buffer and one allreduce per step.
/// </summary>
internal sealed class GradientAverager(DataParallel distribution, IReadOnlyList<Variable> variables)
{
    private readonly float[] _flat = new float[variables.Sum(v => v.Shape.Size)];

    /// <summary>
    /// Replaces every variable's gradient with the average over the ranks. With <paramref name="localCount"/> 0 this
    /// rank ran no backward pass and contributes zeros; the gradient buffers must then exist from an earlier step.
    /// </summary>
    public void Average(int localCount, int globalCount)
    {
        float scale = (float)((double)localCount / globalCount);
        int offset = 0;
        foreach (var variable in variables)
        {
            int size = variable.Shape.Size;
            var target = _flat.AsSpan(offset, size);
            if (localCount == 0 || variable.Value.GradBuffer is null) target.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(variable.Value.GradBuffer.AsSpan(0, size), scale, target);
            offset += size;
        }
        distribution.Communicator.AllReduceSum(_flat);
        offset = 0;
        foreach (var variable in variables)
        {
            int size = variable.Shape.Size;
            var buffer = variable.Value.GradBuffer ?? throw new InvalidOperationException(
                $"Rank {distribution.Rank} has no gradient buffer for '{variable.Name}': its first batch shard was empty. Use a batch size of at least the number of ranks ({distribution.Size}).");
            _flat.AsSpan(offset, size).CopyTo(buffer);
            offset += size;
        }
    }
}
