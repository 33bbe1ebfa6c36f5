using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Saving;

namespace Dendrite.Losses;

/// <summary>
/// A loss (Keras' <c>keras.losses</c>): maps targets and predictions of a batch to one scalar, by default the mean over
/// the batch (Keras' <c>sum_over_batch_size</c> reduction; see <see cref="Reduction"/> for the others). A string converts to the loss of that Keras name, and a
/// function of (yTrue, yPred) written with <see cref="Ops"/> converts to a loss that trains without gradient code.
/// </summary>
/// <remarks>
/// A training step is recorded once and replayed, so <see cref="Call(Tensor, Tensor)"/> must build its result from <see cref="Ops"/>
/// (whose forward recomputes from the inputs' current values) and give the same graph for every batch of a shape.
/// </remarks>
public abstract partial class Loss
{
    /// <summary>The Keras name, e.g. <c>sparse_categorical_crossentropy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The loss of the batch, as a differentiable tensor reduced as <see cref="Reduction"/> says: a scalar, or with
    /// <c>none</c> the per-sample values (shape (N,), or (N, steps) for sequences).
    /// </summary>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// The loss with sample weights (Keras' <c>sample_weight</c>): each per-sample value times its weight, then reduced
    /// as <see cref="Reduction"/> says; under the default <c>sum_over_batch_size</c> that is Σ wᵣ·lossᵣ / N, the batch
    /// size N dividing (not the sum of the weights). Without weights it is <see cref="Call(Tensor, Tensor)"/>; every
    /// built-in loss supports weights, a subclass that does not override this refuses them.
    /// </summary>
    /// <param name="yTrue">The targets.</param>
    /// <param name="yPred">The predictions.</param>
    /// <param name="sampleWeight">
    /// A scalar (every sample alike), shape (N,) or (N, 1): one weight per sample, or (N, steps) (or (N, steps, 1)):
    /// one weight per time step of a sequence output (N, steps, …), as Keras broadcasts; null for none.
    /// </param>
    public virtual Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) =>
        sampleWeight is null ? Call(yTrue, yPred)
        : throw new NotSupportedException($"The loss '{Name}' ({GetType().Name}) does not support sample weights: override Call(yTrue, yPred, sampleWeight), or give the loss as a function returning per-sample values.");

    /// <summary>
    /// Checks every target of a data set before training starts, so that a bad label fails at once with its index,
    /// not midway through an epoch. <paramref name="outputShape"/> is the model's per-sample output shape.
    /// </summary>
    internal virtual void ValidateTargets(NDArray y, Shape outputShape) { }

    /// <summary>
    /// The loss of a Keras name (case-insensitive): <c>sparse_categorical_crossentropy</c>,
    /// <c>categorical_crossentropy</c>, <c>binary_crossentropy</c> (<c>bce</c>), <c>binary_focal_crossentropy</c>,
    /// <c>categorical_focal_crossentropy</c>, <c>mean_squared_error</c> (<c>mse</c>), <c>mean_absolute_error</c>
    /// (<c>mae</c>), <c>mean_absolute_percentage_error</c> (<c>mape</c>), <c>mean_squared_logarithmic_error</c>
    /// (<c>msle</c>), <c>huber</c>, <c>log_cosh</c> (<c>logcosh</c>), <c>kl_divergence</c> (<c>kld</c>),
    /// <c>poisson</c>, <c>hinge</c>, <c>squared_hinge</c>, <c>categorical_hinge</c>, <c>cosine_similarity</c>,
    /// <c>dice</c>, or a class name such as <c>BinaryCrossentropy</c>. Each comes with Keras' default arguments. <c>crossentropy</c>
    /// (<c>ce</c>) picks binary, sparse or categorical cross-entropy from the shapes, as Keras' <c>compile</c> does.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static Loss Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var loss = Lookup(name);
        loss.Identifier = name; // compile configs keep the name the user gave, as Keras writes the string
        return loss;
    }

    private static Loss Lookup(string name)
    {
        return name.ToLowerInvariant() switch
        {
            "sparse_categorical_crossentropy" or "sparsecategoricalcrossentropy" => new SparseCategoricalCrossentropy(),
            "categorical_crossentropy" or "categoricalcrossentropy" => new CategoricalCrossentropy(),
            "binary_crossentropy" or "binarycrossentropy" or "bce" => new BinaryCrossentropy(),
            "mean_squared_error" or "meansquarederror" or "mse" => new MeanSquaredError(),
            "mean_absolute_error" or "meanabsoluteerror" or "mae" => new MeanAbsoluteError(),
            "huber" => new Huber(),
            "kl_divergence" or "kldivergence" or "kld" or "kullback_leibler_divergence" => new KLDivergence(),
            "crossentropy" or "ce" => new Crossentropy(name),
            "binary_focal_crossentropy" or "binaryfocalcrossentropy" => new BinaryFocalCrossentropy(),
            "categorical_focal_crossentropy" or "categoricalfocalcrossentropy" => new CategoricalFocalCrossentropy(),
            "mean_absolute_percentage_error" or "meanabsolutepercentageerror" or "mape" => new MeanAbsolutePercentageError(),
            "mean_squared_logarithmic_error" or "meansquaredlogarithmicerror" or "msle" => new MeanSquaredLogarithmicError(),
            "log_cosh" or "logcosh" => new LogCosh(),
            "poisson" => new Poisson(),
            "hinge" => new Hinge(),
            "squared_hinge" or "squaredhinge" => new SquaredHinge(),
            "categorical_hinge" or "categoricalhinge" => new CategoricalHinge(),
            "cosine_similarity" or "cosinesimilarity" => new CosineSimilarity(),
            "dice" => new Dice(),
            _ => throw new ArgumentException($"Unknown loss function: '{name}'. Known: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy (bce), binary_focal_crossentropy, categorical_focal_crossentropy, mean_squared_error (mse), mean_absolute_error (mae), mean_absolute_percentage_error (mape), mean_squared_logarithmic_error (msle), huber, log_cosh (logcosh), kl_divergence (kld), poisson, hinge, squared_hinge, categorical_hinge, cosine_similarity, dice, crossentropy (ce)."),
        };
    }

    /// <summary>
    /// A loss computed by <paramref name="function"/>, as Keras wraps a plain function of (y_true, y_pred)
    /// (<c>LossFunctionWrapper</c>). Targets and predictions are first brought to the same rank when they differ by a
    /// trailing axis of length 1; a scalar result is the loss as is, anything else is weighted and reduced as
    /// <paramref name="reduction"/> says (by default averaged over all its elements, <c>sum_over_batch_size</c>).
    /// Written with <see cref="Ops"/>, it needs no gradient code.
    /// </summary>
    /// <param name="function">Maps (yTrue, yPred) to per-sample (or per-element) losses, or to the scalar loss.</param>
    /// <param name="name">The loss's name; by default the method's name (<c>lambda</c> for an anonymous function).</param>
    /// <param name="reduction">One of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
    /// <exception cref="ArgumentException">The reduction is not a Keras reduction.</exception>
    /// <example><code>
    /// model.Compile(loss: Loss.FromFunction((t, p) =&gt; Ops.Mean(Ops.Square(p - t), axis: -1), "my_mse"));
    /// </code></example>
    public static Loss FromFunction(Func<Tensor, Tensor, Tensor> function, string? name = null, string? reduction = LossReduction.SumOverBatchSize)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new FunctionLoss(function, name ?? DefaultName(function), reduction);
    }

    private static string DefaultName(Delegate function)
    {
        string method = function.Method.Name;
        return method.Length > 0 && method.All(c => char.IsLetterOrDigit(c) || c == '_') ? method : "lambda";
    }

    /// <summary>Lets a Keras name stand for the loss: <c>loss: "sparse_categorical_crossentropy"</c>.</summary>
    public static implicit operator Loss(string name) => Get(name);

    /// <summary>
    /// Lets a function of (yTrue, yPred) stand for the loss; see <see cref="FromFunction"/>. C# applies this to a
    /// <see cref="Func{T1, T2, TResult}"/> value (a variable, or a cast method group), not to a bare lambda or method
    /// group: write <c>loss: (Func&lt;Tensor, Tensor, Tensor&gt;)MyLoss</c> or <c>Loss.FromFunction(MyLoss)</c>.
    /// </summary>
    public static implicit operator Loss(Func<Tensor, Tensor, Tensor> function) => FromFunction(function);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>The Keras name this loss was asked by (<see cref="Get"/>), written as such in compile configs; null for objects.</summary>
    internal string? Identifier { get; set; }

    /// <summary>Keras' class name, written as <c>class_name</c> in configs; the C# type name by default.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The loss's arguments under Keras' key names (Keras' <c>get_config</c>): <c>name</c>, <c>reduction</c>, and each loss's own.</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name, ["reduction"] = Reduction };

    /// <summary>The loss as Keras serializes it: <c>{"module": "keras.losses", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.losses", ClassName, GetConfig());

    /// <summary>Rebuilds a loss from its serialized form or its Keras name (Keras' <c>keras.losses.deserialize</c>).</summary>
    /// <exception cref="ModelFormatException">The class or name is unknown, or its config holds something Dendrite cannot honour.</exception>
    public static Loss Deserialize(JsonNode serialized) => LossConfigs.Deserialize(serialized, "a loss");

    /// <summary>
    /// The per-step loss weights a model output's mask stands for (Keras' <c>apply_mask</c>): under
    /// <c>sum_over_batch_size</c> and <c>mean</c> the mask scaled by total / valid, so that the mean runs over the real
    /// steps only; under the other reductions the 0/1 mask itself; times the sample weights when there are any.
    /// </summary>
    internal Tensor MaskWeights(Tensor mask, Tensor? sampleWeight)
    {
        if (ReducesByMean) return Ops.MaskedLossWeights(mask, sampleWeight);
        if (sampleWeight is null) return mask;
        return Ops.Multiply(mask, Broadcastable(sampleWeight, mask.Shape));
    }

    /// <summary>
    /// Moves axis <paramref name="axis"/> of <paramref name="x"/> to the end (the losses' <c>axis</c> argument: the
    /// fused ops reduce over the last axis); the other axes keep their order.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range.</exception>
    private protected static Tensor MoveAxisLast(Tensor x, int axis)
    {
        int rank = x.Shape.Rank, a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentException($"axis {axis} is out of range for a tensor of shape {x.Shape}.", nameof(axis));
        if (a == rank - 1) return x;
        var permutation = Enumerable.Range(0, rank).Where(i => i != a).Append(a).ToArray();
        return Ops.Transpose(x, permutation);
    }

    /// <summary>
    /// Targets of the predictions' shape and the predictions, each with axis <paramref name="axis"/> moved last (the
    /// cross-entropies' <c>axis</c>); unchanged when it already is last.
    /// </summary>
    /// <exception cref="ArgumentException">The targets do not pair up with the predictions, or the axis is out of range.</exception>
    private protected (Tensor YTrue, Tensor YPred) ClassAxisLast(Tensor yTrue, Tensor yPred, int axis)
    {
        if (IsLastAxis(axis, yPred.Shape.Rank)) return (yTrue, yPred);
        TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, Name);
        return (MoveAxisLast(Ops.Reshape(yTrue, yPred.Shape.ToArray()), axis), MoveAxisLast(yPred, axis));
    }

    /// <summary>Whether <paramref name="axis"/> names the last axis of a tensor of rank <paramref name="rank"/>.</summary>
    private protected static bool IsLastAxis(int axis, int rank) => axis == -1 || axis == rank - 1;

    /// <summary>
    /// For losses whose targets have the predictions' shape: throws before training when the data set's targets do
    /// not pair up with the model's outputs.
    /// </summary>
    private protected void ValidateSameShape(NDArray y, Shape outputShape, string? hint = null) =>
        TargetShapes.AlignedLastDim(y.Shape, TargetShapes.WithBatch(y.Length, outputShape), Name, hint);
}
