using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>Keras' <c>epsilon()</c>: probabilities are clipped to [ε, 1 − ε] before the logarithm.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>
    /// Mean sparse categorical cross-entropy of <paramref name="predictions"/> (rows of class probabilities, or of
    /// logits when <paramref name="fromLogits"/>) against integer <paramref name="labels"/> (shape (N,) or (N, 1)).
    /// When <paramref name="predictions"/> came straight out of <see cref="Softmax"/>, the loss is computed from the
    /// logits behind it (log-softmax, no clipping) exactly as Keras does on TensorFlow; otherwise probabilities are
    /// normalised and clipped to [1e-7, 1 − 1e-7] as in Keras' other backends.
    /// </summary>
    public static Tensor SparseCategoricalCrossentropy(Tensor labels, Tensor predictions, bool fromLogits = false)
    {
        int classes = predictions.LastDim, rows = predictions.Rows;
        if (labels.Size != rows)
            throw new ArgumentException($"sparse_categorical_crossentropy expects one label per row: predictions have shape {predictions.Shape} ({rows} rows), labels have shape {labels.Shape}.");
        ValidateSparseLabels(labels.Values, classes);
        if (fromLogits) return SparseSoftmaxCrossEntropy(predictions, labels);
        if (predictions.SoftmaxLogits is { } logits) return SparseSoftmaxCrossEntropy(logits, labels);
        return SparseCrossEntropyFromProbabilities(predictions, labels);
    }

    internal static void ValidateSparseLabels(ReadOnlySpan<float> labels, int classes)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            float y = labels[i];
            if (!(y >= 0 && y < classes) || y != MathF.Floor(y))
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Received a label value of {y} at index {i}, which is outside the valid range of [0, {classes - 1}] for {classes} classes."));
        }
    }

    private static Tensor SparseSoftmaxCrossEntropy(Tensor logits, Tensor labels)
    {
        int n = logits.LastDim, rows = logits.Rows;
        bool grad = GradientTape.ShouldRecord(logits);
        var output = NewTensor(new Shape(), grad);
        var z = logits.Values; var y = labels.Values;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = z.Slice(r * n, n);
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < n; j++) sum += MathF.Exp(row[j] - max);
            total += max + Math.Log(sum) - row[(int)y[r]];
        }
        output.Values[0] = (float)(total / rows);
        return grad ? Record(new SparseSoftmaxCrossEntropyOp(logits, labels), output) : output;
    }

    private sealed class SparseSoftmaxCrossEntropyOp(Tensor logits, Tensor labels) : Op
    {
        public override void Backward(int generation)
        {
            // d(mean CE)/dz = (softmax(z) − onehot(y)) / N, scaled by the incoming gradient.
            int n = logits.LastDim, rows = logits.Rows;
            float scale = Output.Grad[0] / rows;
            var z = logits.Values; var y = labels.Values; var dz = logits.GradForAccumulation(generation);
            Span<float> p = n <= 1024 ? stackalloc float[n] : new float[n];
            for (int r = 0; r < rows; r++)
            {
                SoftmaxRow(z.Slice(r * n, n), p);
                p[(int)y[r]] -= 1f;
                var dzr = dz.Slice(r * n, n);
                TensorPrimitives.MultiplyAdd(p, scale, dzr, dzr);
            }
        }
    }

    private static Tensor SparseCrossEntropyFromProbabilities(Tensor probabilities, Tensor labels)
    {
        int n = probabilities.LastDim, rows = probabilities.Rows;
        bool grad = GradientTape.ShouldRecord(probabilities);
        var output = NewTensor(new Shape(), grad);
        var p = probabilities.Values; var y = labels.Values;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = p.Slice(r * n, n);
            float q = row[(int)y[r]] / TensorPrimitives.Sum(row);
            total -= Math.Log(Math.Clamp(q, Epsilon, 1f - Epsilon));
        }
        output.Values[0] = (float)(total / rows);
        return grad ? Record(new SparseCrossEntropyFromProbabilitiesOp(probabilities, labels), output) : output;
    }

    private sealed class SparseCrossEntropyFromProbabilitiesOp(Tensor probabilities, Tensor labels) : Op
    {
        public override void Backward(int generation)
        {
            // loss_r = −log(clip(p_y / s)), s = Σ_j p_j. Where the clip is active the gradient is 0;
            // otherwise d/dp_j = −(1/q)·(δ_jy/s − p_y/s²).
            int n = probabilities.LastDim, rows = probabilities.Rows;
            float g = Output.Grad[0] / rows;
            var p = probabilities.Values; var y = labels.Values; var dp = probabilities.GradForAccumulation(generation);
            for (int r = 0; r < rows; r++)
            {
                var row = p.Slice(r * n, n);
                int label = (int)y[r];
                float s = TensorPrimitives.Sum(row);
                float q = row[label] / s;
                if (q < Epsilon || q > 1f - Epsilon) continue;
                float common = g / q * row[label] / (s * s);
                var dRow = dp.Slice(r * n, n);
                for (int j = 0; j < n; j++) dRow[j] += common;
                dRow[label] -= g / q / s;
            }
        }
    }
}
