using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>
/// Applies one layer to every time step of a sequence (Keras' <c>TimeDistributed</c>): inputs (batch, time, …) are
/// seen as (batch·time, …), the wrapped layer runs on them once, and its output is seen as (batch, time, …) again;
/// every step shares the wrapped layer's weights, which are this layer's weights.
/// </summary>
/// <remarks>
/// A mask on the input passes through to the output unchanged (Keras' <c>supports_masking</c>); the wrapped layer
/// computes every step, padded ones included, as in Keras. Saved as Keras saves it: the wrapped layer's config under
/// <c>"layer"</c>, its variables under <c>layers/time_distributed/layer/vars</c> (see <see cref="Layer.Sublayers"/>).
/// </remarks>
/// <example><code>var outputs = new TimeDistributed(new Dense(8, activation: "relu")).Call(sequences); // (time, 8) per sample</code></example>
public sealed partial class TimeDistributed : Layer
{
    /// <summary>Wraps <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer to apply to each step; it is built for the per-step shape (the input's without its time axis).</param>
    /// <param name="name">The layer's name; automatic (<c>time_distributed</c>, …) when null.</param>
    public TimeDistributed(Layer layer, string? name = null) : base(name) =>
        Layer = AddSublayer("layer", layer ?? throw new ArgumentNullException(nameof(layer), "Please initialize `TimeDistributed` layer with a layer instance."));

    /// <summary>The wrapped layer.</summary>
    public Layer Layer { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <summary>The per-step shape: the per-sample shape without its time axis.</summary>
    private Shape StepShape(Shape inputShape) =>
        inputShape.Rank >= 2 ? new Shape(inputShape.ToArray()[1..])
        : throw new ArgumentException($"TimeDistributed '{Name}' needs inputs of at least 3 dimensions (batch, time, …); got per-sample shape {inputShape}.");

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => Layer.EnsureBuilt(StepShape(inputShape));

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) =>
        new([inputShape[0], .. Layer.ComputeOutputShape(StepShape(inputShape)).ToArray()]);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Shape.Rank < 3)
            throw new ArgumentException($"TimeDistributed '{Name}' needs inputs of at least 3 dimensions (batch, time, …); got {inputs.Shape}.");
        var dims = inputs.Shape.ToArray();
        int batch = dims[0], time = dims[1];
        // (batch, time, …) and (batch·time, …) hold the same values in the same order: the steps become samples.
        var steps = Ops.Reshape(inputs, [batch * time, .. dims[2..]]);
        var outputs = Layer.Call(steps, training);
        if (outputs.Shape.Rank < 1 || outputs.Shape[0] != batch * time)
            throw new InvalidOperationException($"TimeDistributed '{Name}': the wrapped layer '{Layer.Name}' turned {batch * time} steps into output of shape {outputs.Shape}; it must keep one output per step.");
        return Ops.Reshape(outputs, [batch, time, .. outputs.Shape.ToArray()[1..]]);
    }
}
