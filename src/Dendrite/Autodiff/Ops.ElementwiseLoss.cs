namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Checks Keras-style sample weights for a loss over <paramref name="predictions"/>: one weight per sample (shape
    /// (N,) or (N, 1)), or one per time step of a sequence output (the predictions' leading axes without the last,
    /// such as (N, T) for (N, T, classes): what a mask adds); null stands for weights of 1.
    /// </summary>
    internal static void CheckSampleWeight(Tensor? sampleWeight, Tensor predictions, string loss)
    {
        // A scalar weight (Keras' sample_weight=2.3) scales every sample alike.
        if (sampleWeight is null || sampleWeight.Shape.Rank == 0) return;
        int samples = predictions.Shape.Rank == 0 ? 1 : predictions.Shape[0];
        var dims = sampleWeight.Shape.ToArray();
        if (dims.Length > 1 && dims[^1] == 1) dims = dims[..^1];
        var leading = predictions.Shape.ToArray();
        bool fits = dims.Length >= 1 && dims.Length <= Math.Max(1, leading.Length - 1) && dims.AsSpan().SequenceEqual(leading.AsSpan(0, dims.Length));
        if (!fits)
            throw new ArgumentException($"{loss}: sample weights must hold one value per sample, shape ({samples},), or one per step of the predictions' leading axes; got {sampleWeight.Shape} for predictions of shape {predictions.Shape}.");
    }

    /// <summary>
    /// The weight of row <paramref name="row"/> of <paramref name="rows"/> (the loss's rows: samples, or samples ×
    /// steps): 1 without weights; each weight covers rows / weights consecutive rows.
    /// </summary>
    private static float RowWeight(Tensor? sampleWeight, int row, int rows) =>
        sampleWeight is null ? 1f : sampleWeight.Values[(int)((long)row * sampleWeight.Size / rows)];

    /// <summary>
    /// A fused loss over rows (samples, or samples × steps) that either reduces itself, to Σ wᵣ·lossᵣ / rows (Keras'
    /// <c>sum_over_batch_size</c>, a scalar), or writes each row's loss out unweighted (<paramref name="perRow"/>: the
    /// values Keras' <c>Loss.call</c> returns, which <see cref="Losses.Loss"/> then weighs and reduces as asked).
    /// </summary>
    private abstract class RowLossOp(Tensor? sampleWeight, bool perRow) : Op
    {
        private double _total;

        /// <summary>Starts a forward pass.</summary>
        protected void Begin() => _total = 0;

        /// <summary>Records the loss of row <paramref name="r"/> of <paramref name="rows"/>.</summary>
        protected void Emit(int r, int rows, double loss)
        {
            if (perRow) Output.Values[r] = (float)loss;
            else _total += RowWeight(sampleWeight, r, rows) * loss;
        }

        /// <summary>Ends a forward pass: the scalar mean, unless the rows were written out.</summary>
        protected void End(int rows)
        {
            if (!perRow) Output.Values[0] = (float)(_total / rows);
        }

        /// <summary>∂output/∂lossᵣ times the incoming gradient.</summary>
        protected float RowGradient(int r, int rows) =>
            perRow ? Output.Grad[r] : Output.Grad[0] / rows * RowWeight(sampleWeight, r, rows);
    }

    /// <summary>
    /// The shape of a loss's per-sample values (Keras' <c>call</c> result): the predictions' shape without the last
    /// axis, or as it is when the targets carry that axis instead (a (N, 1) target against (N,) predictions).
    /// </summary>
    internal static Shape LossValuesShape(Shape yTrue, Shape yPred) =>
        yTrue.Rank == yPred.Rank + 1 || yPred.Rank == 0 ? yPred : new Shape(yPred.ToArray()[..^1]);

    /// <summary>
    /// A loss that is a sum of one function of each (target, prediction) pair: its value and both partial
    /// derivatives. A struct, so that <see cref="ElementwiseLossOp{TLoss}"/> is compiled once per loss with the
    /// function inlined, and can carry parameters (Huber's delta, label smoothing).
    /// </summary>
    private interface IElementwiseLoss
    {
        /// <summary>The loss of one element, in double precision.</summary>
        double Value(float t, float p);

        /// <summary>∂loss/∂p at one element.</summary>
        float GradPrediction(float t, float p);

        /// <summary>∂loss/∂t at one element.</summary>
        float GradTarget(float t, float p);
    }

    /// <summary>
    /// Records the fused loss: Σ f(tᵢ, pᵢ) times a scale, after checking that the shapes pair up as in
    /// Keras (<see cref="TargetShapes.AlignedLastDim"/>). <paramref name="sumsLastAxis"/> says whether Keras sums the
    /// per-element values over the last axis (cross-entropies, KL) or averages them (errors); the batch reduction
    /// <c>sum_over_batch_size</c> then averages what is left, so the scale is 1 / rows or 1 / elements.
    /// </summary>
    private static Tensor ElementwiseLoss<TLoss>(string name, Tensor yTrue, Tensor yPred, TLoss loss, bool sumsLastAxis, Tensor? computeFrom = null, Tensor? sampleWeight = null)
        where TLoss : struct, IElementwiseLoss
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        int last = TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, name);
        int size = yPred.Size;
        double divisor = sumsLastAxis ? (last == 0 ? 0 : size / last) : size;
        var input = computeFrom ?? yPred;
        CheckSampleWeight(sampleWeight, yPred, name);
        return Run(new ElementwiseLossOp<TLoss>(yTrue, input, loss, 1.0 / divisor, sampleWeight), new Shape(), yTrue.RequiresGrad || input.RequiresGrad);
    }

    /// <summary>
    /// The unreduced form of <see cref="ElementwiseLoss{TLoss}"/>: one value per row of the last axis, the mean (or with
    /// <paramref name="sumsLastAxis"/> the sum) of f over the row, shaped as <see cref="LossValuesShape"/>.
    /// </summary>
    private static Tensor ElementwiseLossValues<TLoss>(string name, Tensor yTrue, Tensor yPred, TLoss loss, bool sumsLastAxis, Tensor? computeFrom = null)
        where TLoss : struct, IElementwiseLoss
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        int last = TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, name);
        var input = computeFrom ?? yPred;
        return Run(new ElementwiseLossValuesOp<TLoss>(yTrue, input, loss, last, sumsLastAxis ? 1.0 : 1.0 / last),
            LossValuesShape(yTrue.Shape, yPred.Shape), yTrue.RequiresGrad || input.RequiresGrad);
    }

    private sealed class ElementwiseLossValuesOp<TLoss>(Tensor yTrue, Tensor yPred, TLoss loss, int last, double scale) : Op where TLoss : struct, IElementwiseLoss
    {
        public override void Forward()
        {
            var t = yTrue.Values; var p = yPred.Values; var v = Output.Values;
            for (int r = 0, start = 0; r < v.Length; r++, start += last)
            {
                double sum = 0;
                for (int i = start; i < start + last; i++) sum += loss.Value(t[i], p[i]);
                v[r] = (float)(sum * scale);
            }
        }

        public override void Backward(int generation)
        {
            var t = yTrue.Values; var p = yPred.Values; var dv = Output.Grad;
            bool freshP = false, freshT = false;
            Span<float> dp = default, dt = default;
            if (yPred.RequiresGrad) dp = yPred.GradForWrite(generation, out freshP);
            if (yTrue.RequiresGrad) dt = yTrue.GradForWrite(generation, out freshT);
            for (int r = 0, start = 0; r < dv.Length; r++, start += last)
            {
                float g = (float)(dv[r] * scale);
                for (int i = start; i < start + last; i++)
                {
                    if (!dp.IsEmpty)
                    {
                        float d = g * loss.GradPrediction(t[i], p[i]);
                        dp[i] = freshP ? d : dp[i] + d;
                    }
                    if (!dt.IsEmpty)
                    {
                        float d = g * loss.GradTarget(t[i], p[i]);
                        dt[i] = freshT ? d : dt[i] + d;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The scalar Σ wᵣ·Σ f(tᵢ, pᵢ) · scale over the samples r and their elements i (wᵣ = 1 without sample weights),
    /// with the gradient of each element going to both operands that need it.
    /// </summary>
    private sealed class ElementwiseLossOp<TLoss>(Tensor yTrue, Tensor yPred, TLoss loss, double scale, Tensor? sampleWeight) : Op where TLoss : struct, IElementwiseLoss
    {
        // Elements per weight: the weights apply to whole samples (the first axis), or to the steps of a sequence.
        private readonly int _perSample = sampleWeight is not null && sampleWeight.Size > 0 ? Math.Max(1, yPred.Size / sampleWeight.Size)
            : yPred.Shape.Rank == 0 || yPred.Shape[0] == 0 ? Math.Max(1, yPred.Size) : yPred.Size / yPred.Shape[0];

        public override void Forward()
        {
            var t = yTrue.Values; var p = yPred.Values;
            double total = 0;
            for (int start = 0, r = 0; start < p.Length; start += _perSample, r++)
            {
                double sample = 0;
                for (int i = start; i < start + _perSample; i++) sample += loss.Value(t[i], p[i]);
                total += sampleWeight is null ? sample : RowWeight(sampleWeight, r, sampleWeight?.Size ?? 1) * sample;
            }
            Output.Values[0] = (float)(total * scale);
        }

        public override void Backward(int generation)
        {
            float g = (float)(Output.Grad[0] * scale);
            var t = yTrue.Values; var p = yPred.Values;
            bool freshP = false, freshT = false;
            Span<float> dp = default, dt = default;
            if (yPred.RequiresGrad) dp = yPred.GradForWrite(generation, out freshP);
            if (yTrue.RequiresGrad) dt = yTrue.GradForWrite(generation, out freshT);
            // Sample by sample, so that each sample's weight is read once.
            for (int start = 0, r = 0; start < p.Length; start += _perSample, r++)
            {
                float gr = g * RowWeight(sampleWeight, r, sampleWeight?.Size ?? 1);
                for (int i = start; i < start + _perSample; i++)
                {
                    if (!dp.IsEmpty)
                    {
                        float d = gr * loss.GradPrediction(t[i], p[i]);
                        dp[i] = freshP ? d : dp[i] + d;
                    }
                    if (!dt.IsEmpty)
                    {
                        float d = gr * loss.GradTarget(t[i], p[i]);
                        dt[i] = freshT ? d : dt[i] + d;
                    }
                }
            }
        }
    }

    /// <summary>The gradient of clip(x, lo, hi): 1 inside, bounds included (TensorFlow's <c>clip_by_value</c>), 0 outside.</summary>
    private static bool PassesClip(float x, float lo, float hi) => x >= lo && x <= hi;
}
