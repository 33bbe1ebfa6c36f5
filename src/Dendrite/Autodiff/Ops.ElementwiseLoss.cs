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
        if (sampleWeight is null) return;
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
