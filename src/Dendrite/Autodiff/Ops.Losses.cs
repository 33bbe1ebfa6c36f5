using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>Keras' <c>epsilon()</c>: probabilities are clipped to [ε, 1 − ε] before the logarithm.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>
    /// Mean sparse categorical cross-entropy of <paramref name="predictions"/> (rows of class probabilities, or of
    /// logits when <paramref name="fromLogits"/>) against integer <paramref name="labels"/> (the predictions' shape
    /// without the class axis, or with a trailing 1 instead: (N,) or (N, 1) for (N, classes)).
    /// When <paramref name="predictions"/> came straight out of <see cref="Softmax"/>, the loss is computed from the
    /// logits behind it (log-softmax, no clipping) exactly as Keras does on TensorFlow, whatever
    /// <paramref name="fromLogits"/> says; otherwise probabilities are normalised and clipped to [1e-7, 1 − 1e-7] as
    /// in Keras' other backends. No gradient flows to the labels.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not pair up, or a label is not an integer in [0, classes).</exception>
    public static Tensor SparseCategoricalCrossentropy(Tensor labels, Tensor predictions, bool fromLogits = false, Tensor? sampleWeight = null) =>
        SparseCrossentropyCore(labels, predictions, fromLogits, sampleWeight, ignoreClass: null, perRow: false);

    /// <summary>
    /// Per-sample <see cref="SparseCategoricalCrossentropy(Tensor, Tensor, bool, Tensor?)"/>, unreduced: one value per
    /// row of classes. Rows labelled <paramref name="ignoreClass"/> (Keras' <c>ignore_class</c>; any value, in range or
    /// not) get a loss of 0 and no gradient.
    /// </summary>
    internal static Tensor SparseCategoricalCrossentropyValues(Tensor labels, Tensor predictions, bool fromLogits, int? ignoreClass) =>
        SparseCrossentropyCore(labels, predictions, fromLogits, null, ignoreClass, perRow: true);

    private static Tensor SparseCrossentropyCore(Tensor labels, Tensor predictions, bool fromLogits, Tensor? sampleWeight, int? ignoreClass, bool perRow)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(predictions);
        int classes = TargetShapes.CheckSparse(labels.Shape, predictions.Shape, "sparse_categorical_crossentropy",
            "For one-hot targets use categorical_crossentropy.");
        TargetShapes.CheckLabelRange(labels.Values, classes, ignoreClass);
        CheckSampleWeight(sampleWeight, predictions, "sparse_categorical_crossentropy");
        var shape = perRow ? new Shape(predictions.Shape.ToArray()[..^1]) : new Shape();
        float? ignore = ignoreClass;
        if (predictions.SoftmaxLogits is { } logits)
            return Run(new SparseSoftmaxCrossEntropyOp(logits, labels, predictions, sampleWeight, ignore, perRow), shape, logits.RequiresGrad);
        if (fromLogits) return Run(new SparseSoftmaxCrossEntropyOp(predictions, labels, null, sampleWeight, ignore, perRow), shape, predictions.RequiresGrad);
        return Run(new SparseCrossEntropyFromProbabilitiesOp(predictions, labels, sampleWeight, ignore, perRow), shape, predictions.RequiresGrad);
    }

    /// <summary>
    /// Mean cross-entropy from logits: log-sum-exp minus the label's logit, per row, with no clipping. When the
    /// softmax of the logits is already at hand (<paramref name="probabilities"/>), the backward uses it.
    /// </summary>
    private sealed class SparseSoftmaxCrossEntropyOp(Tensor logits, Tensor labels, Tensor? probabilities, Tensor? sampleWeight, float? ignore, bool perRow) : RowLossOp(sampleWeight, perRow)
    {
        [ThreadStatic] private static float[]? s_scratch; // a row of probabilities too long for the stack

        public override void Forward()
        {
            int n = logits.LastDim, rows = logits.Rows;
            var z = logits.Values; var y = labels.Values;
            Begin();
            for (int r = 0; r < rows; r++)
            {
                if (y[r] == ignore) { Emit(r, rows, 0); continue; }
                var row = z.Slice(r * n, n);
                float max = TensorPrimitives.Max(row);
                double sum = 0;
                for (int j = 0; j < n; j++) sum += MathF.Exp(row[j] - max);
                Emit(r, rows, max + Math.Log(sum) - row[(int)y[r]]);
            }
            End(rows);
        }

        public override void Backward(int generation)
        {
            // d(mean CE)/dz = (softmax(z) − onehot(y)) / N, scaled by the incoming gradient.
            int n = logits.LastDim, rows = logits.Rows;
            var z = logits.Values; var y = labels.Values;
            var dz = logits.GradForWrite(generation, out bool fresh);
            Span<float> p = n <= 1024 ? stackalloc float[n] : (s_scratch is { } scratch && scratch.Length >= n ? scratch : s_scratch = new float[n]).AsSpan(0, n);
            for (int r = 0; r < rows; r++)
            {
                if (y[r] == ignore)
                {
                    if (fresh) dz.Slice(r * n, n).Clear();
                    continue;
                }
                if (probabilities is not null) probabilities.Values.Slice(r * n, n).CopyTo(p);
                else SoftmaxRow(z.Slice(r * n, n), p);
                p[(int)y[r]] -= 1f;
                var dzr = dz.Slice(r * n, n);
                float rowScale = RowGradient(r, rows);
                if (fresh) TensorPrimitives.Multiply(p, rowScale, dzr);
                else TensorPrimitives.MultiplyAdd(p, rowScale, dzr, dzr);
            }
        }
    }

    /// <summary>Keras' probability path: normalise each row, clip to [ε, 1 − ε], then −log of the label's entry.</summary>
    private sealed class SparseCrossEntropyFromProbabilitiesOp(Tensor probabilities, Tensor labels, Tensor? sampleWeight, float? ignore, bool perRow) : RowLossOp(sampleWeight, perRow)
    {
        public override void Forward()
        {
            int n = probabilities.LastDim, rows = probabilities.Rows;
            var p = probabilities.Values; var y = labels.Values;
            Begin();
            for (int r = 0; r < rows; r++)
            {
                if (y[r] == ignore) { Emit(r, rows, 0); continue; }
                var row = p.Slice(r * n, n);
                float q = row[(int)y[r]] / TensorPrimitives.Sum(row);
                Emit(r, rows, -Math.Log(Math.Clamp(q, Epsilon, 1f - Epsilon)));
            }
            End(rows);
        }

        public override void Backward(int generation)
        {
            // loss_r = −log(clip(p_y / s)), s = Σ_j p_j. Where the clip is active the gradient is 0;
            // otherwise d/dp_j = −(1/q)·(δ_jy/s − p_y/s²).
            int n = probabilities.LastDim, rows = probabilities.Rows;
            var p = probabilities.Values; var y = labels.Values; var dp = probabilities.GradForAccumulation(generation);
            for (int r = 0; r < rows; r++)
            {
                if (y[r] == ignore) continue;
                var row = p.Slice(r * n, n);
                int label = (int)y[r];
                float s = TensorPrimitives.Sum(row);
                float q = row[label] / s;
                if (q < Epsilon || q > 1f - Epsilon) continue;
                float gr = RowGradient(r, rows);
                float common = gr / q * row[label] / (s * s);
                var dRow = dp.Slice(r * n, n);
                for (int j = 0; j < n; j++) dRow[j] += common;
                dRow[label] -= gr / q / s;
            }
        }
    }
}
