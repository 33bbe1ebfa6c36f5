namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout (Keras' <c>dropout</c>): each element is zeroed with probability <paramref name="rate"/> and
    /// the survivors are scaled by 1 / (1 − rate), so the expected value is unchanged and inference needs no scaling.
    /// A new mask is drawn every time the op runs (a replayed training step draws a fresh one per batch).
    /// </summary>
    internal static Tensor Dropout(Tensor x, double rate, RandomGenerator random)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), FormattableString.Invariant($"Dropout rate must be in [0, 1), got {rate}."));
        var ws = Workspace.Current;
        var mask = ws is null ? new float[x.Size] : ws.Rent(x.Size);
        return Run(new DropoutOp(x, rate, random, mask), x.Shape, x.RequiresGrad);
    }

    private sealed class DropoutOp(Tensor x, double rate, RandomGenerator random, float[] mask) : Op
    {
        // An element is kept when a uniform 32-bit draw is at or above rate·2³²; each 64-bit draw decides two elements.
        private readonly ulong _threshold = (ulong)(rate * 4294967296.0);
        private readonly float _scale = (float)(1.0 / (1.0 - rate));

        public override void Forward()
        {
            var xs = x.Values; var ys = Output.Values; var m = mask.AsSpan(0, xs.Length);
            random.FillKeepMask(m, _threshold, _scale);
            System.Numerics.Tensors.TensorPrimitives.Multiply(xs, m, ys);
        }

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh); var m = mask.AsSpan(0, dx.Length);
            if (fresh) System.Numerics.Tensors.TensorPrimitives.Multiply(Output.Grad, m, dx);
            else System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(Output.Grad, m, dx, dx);
        }
    }
}
