using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite;

/// <summary>
/// A plain stack of layers, each feeding the next (Keras' <c>Sequential</c>). The input size is taken from the
/// first batch it sees (or from <see cref="Model.Build"/>), as Keras builds deferred models.
/// </summary>
public class Sequential : Model
{
    private readonly List<Layer> _layers = [];

    /// <summary>A model made of <paramref name="layers"/>, in order.</summary>
    public Sequential(params Layer[] layers) : this(layers, null) { }

    /// <summary>A named model made of <paramref name="layers"/>, in order.</summary>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name, "sequential")
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Appends a layer (only before the model is built).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (Built) throw new InvalidOperationException($"Cannot add layer '{layer.Name}': model '{Name}' is already built.");
        if (_layers.Exists(l => l.Name == layer.Name))
            throw new ArgumentException($"All layers added to a Sequential model should have unique names. Name '{layer.Name}' is already the name of a layer in this model.", nameof(layer));
        _layers.Add(layer);
    }

    private protected override Shape BuildLayers(Shape inputShape)
    {
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            layer.EnsureBuilt(shape);
            shape = layer.ComputeOutputShape(shape);
        }
        return shape;
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        var x = inputs;
        foreach (var layer in _layers) x = layer.Call(x, training);
        return x;
    }
}
