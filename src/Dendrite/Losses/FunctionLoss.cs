using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// A loss given as a function (Keras' <c>LossFunctionWrapper</c>); made by <see cref="Loss.FromFunction"/> or by
/// converting a <see cref="Func{T1, T2, TResult}"/>.
/// </summary>
internal sealed class FunctionLoss(Func<Tensor, Tensor, Tensor> function, string name, string? reduction) : Loss(reduction)
{
    /// <inheritdoc/>
    public override string Name => name;

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        (yTrue, yPred) = SameRank(yTrue, yPred);
        var values = function(yTrue, yPred)
            ?? throw new InvalidOperationException($"The loss function '{name}' returned null; it must return a tensor.");
        if (values.Shape.Rank == 0)
        {
            // A scalar is the loss as it is; it has no samples to weigh.
            if (sampleWeight is not null && sampleWeight.Size != 1)
                throw new ArgumentException($"The loss function '{name}' returned a scalar; sample weights need one value per sample first (shape ({sampleWeight.Size}, ...)).");
            return sampleWeight is null ? values : values * Ops.Reshape(sampleWeight, []);
        }
        if (sampleWeight is not null && sampleWeight.Shape.Rank > 0 && values.Shape[0] != sampleWeight.Shape[0])
            throw new ArgumentException($"The loss function '{name}' returned shape {values.Shape}; sample weights need one value per sample first (shape ({sampleWeight.Size}, ...)).");
        // sum_over_batch_size without weights: the mean of the values, as before reductions were configurable.
        if (sampleWeight is null && ReducesByMean) return Ops.Mean(values);
        return Reduce(values, sampleWeight);
    }

    /// <summary>Keras' <c>squeeze_or_expand_to_same_rank</c>: a trailing axis of length 1 is squeezed, or added to a vector.</summary>
    internal static (Tensor YTrue, Tensor YPred) SameRank(Tensor yTrue, Tensor yPred)
    {
        int rt = yTrue.Shape.Rank, rp = yPred.Shape.Rank;
        if (rt == rp + 1 && yTrue.Shape[^1] == 1)
            return rp == 1 ? (yTrue, Ops.ExpandDims(yPred, -1)) : (Ops.Squeeze(yTrue, -1), yPred);
        if (rp == rt + 1 && yPred.Shape[^1] == 1)
            return rt == 1 ? (Ops.ExpandDims(yTrue, -1), yPred) : (yTrue, Ops.Squeeze(yPred, -1));
        return (yTrue, yPred);
    }
}
