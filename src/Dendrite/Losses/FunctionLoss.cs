using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// A loss given as a function (Keras' <c>LossFunctionWrapper</c>); made by <see cref="Loss.FromFunction"/> or by
/// converting a <see cref="Func{T1, T2, TResult}"/>.
/// </summary>
internal sealed class FunctionLoss(Func<Tensor, Tensor, Tensor> function, string name) : Loss
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
        if (sampleWeight is not null)
        {
            // Keras' reduce_weighted_values: each sample's values times its weight, then the mean of them all.
            if (values.Shape.Rank == 0 || values.Shape[0] != sampleWeight.Size)
                throw new ArgumentException($"The loss function '{name}' returned shape {values.Shape}; sample weights need one value per sample first (shape ({sampleWeight.Size}, ...)).");
            var dims = new int[values.Shape.Rank];
            Array.Fill(dims, 1);
            dims[0] = sampleWeight.Size;
            values = values * Ops.Reshape(sampleWeight, dims);
        }
        // sum_over_batch_size: the sum of the values divided by their number; a scalar is returned as it is.
        return values.Shape.Rank == 0 ? values : Ops.Mean(values);
    }

    /// <summary>Keras' <c>squeeze_or_expand_to_same_rank</c>: a trailing axis of length 1 is squeezed, or added to a vector.</summary>
    private static (Tensor YTrue, Tensor YPred) SameRank(Tensor yTrue, Tensor yPred)
    {
        int rt = yTrue.Shape.Rank, rp = yPred.Shape.Rank;
        if (rt == rp + 1 && yTrue.Shape[^1] == 1)
            return rp == 1 ? (yTrue, Ops.ExpandDims(yPred, -1)) : (Ops.Squeeze(yTrue, -1), yPred);
        if (rp == rt + 1 && yPred.Shape[^1] == 1)
            return rt == 1 ? (Ops.ExpandDims(yTrue, -1), yPred) : (yTrue, Ops.Squeeze(yPred, -1));
        return (yTrue, yPred);
    }
}
