using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Categorical cross-entropy between one-hot (or soft) targets and predicted class probabilities, or logits when
    /// <paramref name="fromLogits"/> (<c>keras.losses.CategoricalCrossentropy</c>): −Σ t·log p over the last axis,
    /// averaged over the batch. Targets are first smoothed: t·(1 − s) + s / classes. From probabilities each row is
    /// divided by its sum and clipped to [1e-7, 1 − 1e-7]; from logits it is log-sum-exp minus the logits, with no
    /// clip. When <paramref name="yPred"/> came straight out of <see cref="Softmax"/>, the loss is computed from the
    /// logits behind it, as Keras does on TensorFlow.
    /// </summary>
    /// <param name="yTrue">Targets of the predictions' shape (up to a trailing 1), e.g. from <c>Utils.ToCategorical</c>.</param>
    /// <param name="yPred">Rows of class probabilities, or of logits when <paramref name="fromLogits"/>.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param>
    /// <param name="sampleWeight">
    /// A scalar, one weight per sample ((N,) or (N, 1)), or one per step of a sequence ((N, steps)), or null: the loss is
    /// Σ wᵣ·lossᵣ / rows, as Keras' sum_over_batch_size.
    /// </param>
    /// <exception cref="ArgumentException">The shapes do not pair up (integer labels need <see cref="SparseCategoricalCrossentropy"/>), or the smoothing is outside [0, 1].</exception>
    public static Tensor CategoricalCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, float labelSmoothing = 0f, Tensor? sampleWeight = null) =>
        CategoricalCrossentropyCore(yTrue, yPred, fromLogits, labelSmoothing, sampleWeight, perRow: false);

    /// <summary>Per-sample <see cref="CategoricalCrossentropy(Tensor, Tensor, bool, float, Tensor?)"/> (one value per row of classes), unreduced.</summary>
    internal static Tensor CategoricalCrossentropyValues(Tensor yTrue, Tensor yPred, bool fromLogits, float labelSmoothing) =>
        CategoricalCrossentropyCore(yTrue, yPred, fromLogits, labelSmoothing, null, perRow: true);

    private static Tensor CategoricalCrossentropyCore(Tensor yTrue, Tensor yPred, bool fromLogits, float labelSmoothing, Tensor? sampleWeight, bool perRow)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        CheckLabelSmoothing(labelSmoothing);
        int classes = TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, "categorical_crossentropy",
            "Integer class labels need sparse_categorical_crossentropy, or one-hot encoding with Utils.ToCategorical.");
        var logits = yPred.SoftmaxLogits is { } behind && yPred.LastDim == classes ? behind : fromLogits ? yPred : null;
        CheckSampleWeight(sampleWeight, yPred, "categorical_crossentropy");
        Op op = logits is not null
            ? new SoftmaxCrossEntropyOp(yTrue, logits, classes, labelSmoothing, sampleWeight, perRow)
            : new CrossEntropyFromProbabilitiesOp(yTrue, yPred, classes, labelSmoothing, sampleWeight, perRow);
        var input = logits ?? yPred;
        return Run(op, perRow ? LossValuesShape(yTrue.Shape, yPred.Shape) : new Shape(), yTrue.RequiresGrad || input.RequiresGrad);
    }

    /// <summary>A target after label smoothing over <paramref name="classes"/> classes.</summary>
    private static float SmoothCategorical(float t, float smoothing, int classes) =>
        smoothing == 0f ? t : t * (1f - smoothing) + smoothing / classes;

    /// <summary>
    /// Σ_rows Σ_j t_j·(lse(z) − z_j) / rows, with the softmax of each row recomputed in the backward:
    /// dz = (softmax(z)·Σt − t) / rows, dt = (lse(z) − z)·(1 − s) / rows.
    /// </summary>
    private sealed class SoftmaxCrossEntropyOp(Tensor yTrue, Tensor logits, int classes, float smoothing, Tensor? sampleWeight, bool perRow) : RowLossOp(sampleWeight, perRow)
    {
        private readonly float[]? _scratch = classes > 1024 ? new float[classes] : null; // a row too long for the stack

        private int Rows => classes == 0 ? 0 : logits.Size / classes;

        public override void Forward()
        {
            int n = classes, rows = Rows;
            var z = logits.Values; var t = yTrue.Values;
            Begin();
            for (int r = 0; r < rows; r++)
            {
                var row = z.Slice(r * n, n); var target = t.Slice(r * n, n);
                double lse = LogSumExp(row), sample = 0;
                for (int j = 0; j < n; j++)
                {
                    float tj = SmoothCategorical(target[j], smoothing, n);
                    if (tj != 0f) sample += tj * (lse - row[j]);
                }
                Emit(r, rows, sample);
            }
            End(rows);
        }

        public override void Backward(int generation)
        {
            int n = classes, rows = Rows;
            var z = logits.Values; var t = yTrue.Values;
            if (logits.RequiresGrad)
            {
                var dz = logits.GradForWrite(generation, out bool fresh);
                Span<float> p = _scratch is not null ? _scratch : stackalloc float[n];
                for (int r = 0; r < rows; r++)
                {
                    var target = t.Slice(r * n, n); var dzr = dz.Slice(r * n, n);
                    SoftmaxRow(z.Slice(r * n, n), p);
                    float mass = 0, gr = RowGradient(r, rows);
                    for (int j = 0; j < n; j++) mass += SmoothCategorical(target[j], smoothing, n);
                    for (int j = 0; j < n; j++)
                    {
                        float d = gr * (p[j] * mass - SmoothCategorical(target[j], smoothing, n));
                        dzr[j] = fresh ? d : dzr[j] + d;
                    }
                }
            }
            if (yTrue.RequiresGrad)
            {
                var dt = yTrue.GradForWrite(generation, out bool fresh);
                for (int r = 0; r < rows; r++)
                {
                    float gt = RowGradient(r, rows) * (1f - smoothing);
                    var row = z.Slice(r * n, n); var dtr = dt.Slice(r * n, n);
                    double lse = LogSumExp(row);
                    for (int j = 0; j < n; j++)
                    {
                        float d = gt * (float)(lse - row[j]);
                        dtr[j] = fresh ? d : dtr[j] + d;
                    }
                }
            }
        }

        private static double LogSumExp(ReadOnlySpan<float> row)
        {
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < row.Length; j++) sum += Math.Exp(row[j] - max);
            return max + Math.Log(sum);
        }
    }

    /// <summary>
    /// Keras' probability path: q = p / Σp per row, clipped to [ε, 1 − ε] in float32, loss −Σ t·log q. With
    /// g_j = −t_j / q_j where q_j is inside the clip (0 outside), dp_k = (g_k − Σ_j g_j·q_j) / Σp, and dt = −log q·(1 − s).
    /// </summary>
    private sealed class CrossEntropyFromProbabilitiesOp(Tensor yTrue, Tensor probabilities, int classes, float smoothing, Tensor? sampleWeight, bool perRow) : RowLossOp(sampleWeight, perRow)
    {
        private const float High = 1f - Epsilon;

        private int Rows => classes == 0 ? 0 : probabilities.Size / classes;

        public override void Forward()
        {
            int n = classes, rows = Rows;
            var p = probabilities.Values; var t = yTrue.Values;
            Begin();
            for (int r = 0; r < rows; r++)
            {
                var row = p.Slice(r * n, n); var target = t.Slice(r * n, n);
                float s = TensorPrimitives.Sum(row);
                double sample = 0;
                for (int j = 0; j < n; j++)
                {
                    float tj = SmoothCategorical(target[j], smoothing, n);
                    if (tj != 0f) sample -= tj * Math.Log(Math.Clamp(row[j] / s, Epsilon, High));
                }
                Emit(r, rows, sample);
            }
            End(rows);
        }

        public override void Backward(int generation)
        {
            int n = classes, rows = Rows;
            var p = probabilities.Values; var t = yTrue.Values;
            if (probabilities.RequiresGrad)
            {
                var dp = probabilities.GradForAccumulation(generation);
                for (int r = 0; r < rows; r++)
                {
                    var row = p.Slice(r * n, n); var target = t.Slice(r * n, n); var dRow = dp.Slice(r * n, n);
                    float s = TensorPrimitives.Sum(row), gr = RowGradient(r, rows);
                    // Σ_j g_j·q_j = −Σ t_j over the entries inside the clip.
                    double weighted = 0;
                    for (int j = 0; j < n; j++)
                        if (PassesClip(row[j] / s, Epsilon, High)) weighted -= SmoothCategorical(target[j], smoothing, n);
                    for (int j = 0; j < n; j++)
                    {
                        float q = row[j] / s;
                        double gj = PassesClip(q, Epsilon, High) ? -SmoothCategorical(target[j], smoothing, n) / (double)q : 0;
                        dRow[j] += (float)(gr * (gj - weighted) / s);
                    }
                }
            }
            if (yTrue.RequiresGrad)
            {
                var dt = yTrue.GradForWrite(generation, out bool fresh);
                for (int r = 0; r < rows; r++)
                {
                    float gt = RowGradient(r, rows) * (1f - smoothing);
                    var row = p.Slice(r * n, n); var dtr = dt.Slice(r * n, n);
                    float s = TensorPrimitives.Sum(row);
                    for (int j = 0; j < n; j++)
                    {
                        float d = gt * (float)-Math.Log(Math.Clamp(row[j] / s, Epsilon, High));
                        dtr[j] = fresh ? d : dtr[j] + d;
                    }
                }
            }
        }
    }
}
