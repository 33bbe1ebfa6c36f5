using Dendrite.Autodiff;

namespace Dendrite.Losses;

// Keras' reduce_weighted_values and apply_mask (keras/src/losses/loss.py), written with Ops so that a recorded
// training step replays them.

public abstract partial class Loss
{
    /// <summary>Keras' <c>reduction</c>, one of <see cref="LossReduction.All"/>.</summary>
    public string Reduction { get; }

    /// <summary>A loss with Keras' default reduction, <c>sum_over_batch_size</c>.</summary>
    protected Loss() : this(LossReduction.SumOverBatchSize) { }

    /// <summary>A loss with the given reduction (null means <c>none</c>, as Keras' <c>None</c>).</summary>
    /// <exception cref="ArgumentException">The reduction is not one of <see cref="LossReduction.All"/>.</exception>
    protected Loss(string? reduction) => Reduction = LossReduction.Standardize(reduction);

    /// <summary>
    /// Whether the fused scalar ops compute this loss as it is: Σ w·loss / N is what <c>sum_over_batch_size</c> and
    /// <c>mean</c> give.
    /// </summary>
    private protected bool ReducesByMean => Reduction is LossReduction.SumOverBatchSize or LossReduction.Mean;

    /// <summary>
    /// Weighs per-sample <paramref name="values"/> by <paramref name="sampleWeight"/> (a scalar, one weight per sample,
    /// or one per step: any leading part of the values' shape, up to a trailing 1) and by a 0/1
    /// <paramref name="mask"/> of the values' shape, then reduces them as <see cref="Reduction"/> says (Keras'
    /// <c>reduce_weighted_values</c>). Under <c>sum_over_batch_size</c> and <c>mean</c> the mask's entries are scaled by
    /// total / valid, so that masked values count neither in the sum nor in the divisor (Keras' <c>apply_mask</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not fit the values.</exception>
    private protected Tensor Reduce(Tensor values, Tensor? sampleWeight, Tensor? mask = null)
    {
        var weights = sampleWeight is null ? null : Broadcastable(sampleWeight, values.Shape);
        if (mask is not null)
        {
            mask = Ops.Reshape(mask, values.Shape.ToArray());
            var scaled = ReducesByMean ? Ops.MaskedLossWeights(mask, sampleWeight is null ? null : Ops.Reshape(sampleWeight, [sampleWeight.Size])) : null;
            weights = scaled ?? (weights is null ? mask : Ops.Multiply(mask, weights));
        }
        if (weights is not null) values = Ops.Multiply(values, weights);
        if (Reduction == LossReduction.None || values.Shape.Rank == 0) return values;
        var sum = Ops.Sum(values);
        return Reduction switch
        {
            LossReduction.Sum => sum,
            // The sum of the weights as they apply to the values (Keras' ops.sum(sample_weight) when the shapes agree).
            LossReduction.MeanWithSampleWeight when weights is not null =>
                Ops.Divide(sum, Ops.Maximum(Ops.Sum(Ops.Multiply(weights, Ops.Ones(values.Shape.ToArray()))), float.Epsilon)),
            _ => values.Size == 0 ? sum : Ops.Divide(sum, values.Size),
        };
    }

    /// <summary>
    /// The sample weights reshaped to broadcast against values of shape <paramref name="values"/>: a scalar as it is;
    /// otherwise their shape, without a trailing 1, must start the values' shape, and gains trailing 1s.
    /// </summary>
    private protected Tensor Broadcastable(Tensor sampleWeight, Shape values)
    {
        if (sampleWeight.Shape.Rank == 0 || values.Rank == 0) return sampleWeight;
        var dims = sampleWeight.Shape.ToArray();
        bool Leads(int[] d) => d.Length <= values.Rank && d.AsSpan().SequenceEqual(values.AsSpan()[..d.Length]);
        // Keras' squeeze_or_expand_to_same_rank: a trailing 1 that does not match the values goes.
        if (!Leads(dims) && dims.Length > 1 && dims[^1] == 1) dims = dims[..^1];
        bool fits = Leads(dims);
        if (!fits)
            throw new ArgumentException($"{Name}: sample weights must hold one value per sample, shape ({(values.Rank == 0 ? 1 : values[0])},), or one per step of the loss's per-sample values (shape {values}); got {sampleWeight.Shape}.");
        if (dims.Length == values.Rank && dims.Length == sampleWeight.Shape.Rank) return sampleWeight;
        var target = new int[values.Rank];
        Array.Fill(target, 1);
        dims.CopyTo(target, 0);
        return Ops.Reshape(sampleWeight, target);
    }
}
