namespace Dendrite.Autodiff;

public static partial class Ops
{
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
    private static Tensor ElementwiseLoss<TLoss>(string name, Tensor yTrue, Tensor yPred, TLoss loss, bool sumsLastAxis, Tensor? computeFrom = null)
        where TLoss : struct, IElementwiseLoss
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        int last = TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, name);
        int size = yPred.Size;
        double divisor = sumsLastAxis ? (last == 0 ? 0 : size / last) : size;
        var input = computeFrom ?? yPred;
        return Run(new ElementwiseLossOp<TLoss>(yTrue, input, loss, 1.0 / divisor), new Shape(), yTrue.RequiresGrad || input.RequiresGrad);
    }

    /// <summary>The scalar Σ f(tᵢ, pᵢ) · scale, with the gradient of each element going to both operands that need it.</summary>
    private sealed class ElementwiseLossOp<TLoss>(Tensor yTrue, Tensor yPred, TLoss loss, double scale) : Op where TLoss : struct, IElementwiseLoss
    {
        public override void Forward()
        {
            var t = yTrue.Values; var p = yPred.Values;
            double total = 0;
            for (int i = 0; i < p.Length; i++) total += loss.Value(t[i], p[i]);
            Output.Values[0] = (float)(total * scale);
        }

        public override void Backward(int generation)
        {
            float g = (float)(Output.Grad[0] * scale);
            var t = yTrue.Values; var p = yPred.Values;
            if (yPred.RequiresGrad)
            {
                var dp = yPred.GradForWrite(generation, out bool fresh);
                for (int i = 0; i < dp.Length; i++)
                {
                    float d = g * loss.GradPrediction(t[i], p[i]);
                    dp[i] = fresh ? d : dp[i] + d;
                }
            }
            if (yTrue.RequiresGrad)
            {
                var dt = yTrue.GradForWrite(generation, out bool fresh);
                for (int i = 0; i < dt.Length; i++)
                {
                    float d = g * loss.GradTarget(t[i], p[i]);
                    dt[i] = fresh ? d : dt[i] + d;
                }
            }
        }
    }

    /// <summary>The gradient of clip(x, lo, hi): 1 inside, bounds included (TensorFlow's <c>clip_by_value</c>), 0 outside.</summary>
    private static bool PassesClip(float x, float lo, float hi) => x >= lo && x <= hi;
}
