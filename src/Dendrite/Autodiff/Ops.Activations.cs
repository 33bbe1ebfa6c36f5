using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>max(x, 0), element-wise. The gradient at 0 is 0, as in TensorFlow.</summary>
    public static Tensor Relu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Run(new ReluOp(x), x.Shape, x.RequiresGrad);
    }

    private sealed class ReluOp(Tensor x) : Op
    {
        public override void Forward() => TensorPrimitives.Max(x.Values, 0f, Output.Values);

        public override void Backward(int generation)
        {
            var dy = Output.Grad; var y = Output.Values; var dx = x.GradForWrite(generation, out bool fresh);
            for (int i = 0; i < dx.Length; i++)
            {
                float g = y[i] > 0f ? dy[i] : 0f;
                dx[i] = fresh ? g : dx[i] + g;
            }
        }
    }

    /// <summary>
    /// 1 / (1 + exp(−x)), element-wise. A binary cross-entropy that receives this op's output computes from its input
    /// logits instead (see <see cref="BinaryCrossentropy"/>), as Keras does on TensorFlow.
    /// </summary>
    public static Tensor Sigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = Run(new SigmoidOp(x), x.Shape, x.RequiresGrad);
        result.SigmoidLogits = x;
        return result;
    }

    private sealed class SigmoidOp(Tensor x) : Op
    {
        public override void Forward() => TensorPrimitives.Sigmoid(x.Values, Output.Values);

        public override void Backward(int generation)
        {
            var dy = Output.Grad; var y = Output.Values; var dx = x.GradForAccumulation(generation);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
        }
    }

    /// <summary>Hyperbolic tangent, element-wise.</summary>
    public static Tensor Tanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Run(new TanhOp(x), x.Shape, x.RequiresGrad);
    }

    private sealed class TanhOp(Tensor x) : Op
    {
        public override void Forward() => TensorPrimitives.Tanh(x.Values, Output.Values);

        public override void Backward(int generation)
        {
            var dy = Output.Grad; var y = Output.Values; var dx = x.GradForAccumulation(generation);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
        }
    }

    /// <summary>
    /// Softmax over the last axis, computed stably (the row maximum is subtracted before exponentiating).
    /// A loss that receives this op's output may use its input logits directly (see
    /// <see cref="SparseCategoricalCrossentropy"/>), as Keras does on TensorFlow.
    /// </summary>
    public static Tensor Softmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = Run(new SoftmaxOp(x), x.Shape, x.RequiresGrad);
        result.SoftmaxLogits = x;
        return result;
    }

    internal static void SoftmaxRow(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        // Never call TensorPrimitives.SoftMax on raw logits: it does not subtract the maximum and overflows.
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        float sum = TensorPrimitives.Sum(probabilities);
        TensorPrimitives.Divide(probabilities, sum, probabilities);
    }

    private sealed class SoftmaxOp(Tensor x) : Op
    {
        public override void Forward()
        {
            int n = x.LastDim, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values;
            for (int r = 0; r < rows; r++) SoftmaxRow(xs.Slice(r * n, n), ys.Slice(r * n, n));
        }

        public override void Backward(int generation)
        {
            // dx = y ⊙ (dy − Σ dy⊙y), row by row.
            int n = x.LastDim, rows = x.Rows;
            var dy = Output.Grad; var y = Output.Values; var dx = x.GradForAccumulation(generation);
            for (int r = 0; r < rows; r++)
            {
                var dyr = dy.Slice(r * n, n); var yr = y.Slice(r * n, n); var dxr = dx.Slice(r * n, n);
                float dot = TensorPrimitives.Dot(dyr, yr);
                for (int j = 0; j < n; j++) dxr[j] += yr[j] * (dyr[j] - dot);
            }
        }
    }
}
