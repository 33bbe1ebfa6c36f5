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
    /// <remarks>
    /// When the first layer is an <see cref="InputLayer"/>, the model is built at once (as Keras does), so shape
    /// mismatches between layers surface here, and <c>Summary()</c> shows every shape before training.
    /// </remarks>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name, "sequential")
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Add(layer);
        // An InputLayer alone (layers to be added later) leaves the model unbuilt, as there is nothing to build yet.
        if (_input is not null && _layers.Count > 0) Build(_input.Shape.ToArray());
    }

    private InputLayer? _input;

    /// <summary>The layers, in order, without the <see cref="InputLayer"/> (as Keras lists them).</summary>
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Appends a layer (only before the model is built). An <see cref="InputLayer"/> may only come first.</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (Built) throw new InvalidOperationException($"Cannot add layer '{layer.Name}': model '{Name}' is already built.");
        if (layer is InputLayer input)
        {
            if (_input is not null || _layers.Count > 0)
                throw new ArgumentException($"An InputLayer can only be the first layer of a Sequential model; '{input.Name}' came after {(_input is not null ? $"'{_input.Name}'" : $"'{_layers[^1].Name}'")}.", nameof(layer));
            _input = input;
            return;
        }
        if (_layers.Exists(l => l.Name == layer.Name))
            throw new ArgumentException($"All layers added to a Sequential model should have unique names. Name '{layer.Name}' is already the name of a layer in this model.", nameof(layer));
        _layers.Add(layer);
    }

    private protected override Shape BuildLayers(Shape inputShape)
    {
        if (_input is not null && _input.Shape != inputShape)
            throw new ArgumentException($"Model '{Name}' declares inputs of shape (None, {string.Join(", ", _input.Shape.ToArray())}) in '{_input.Name}', got (None, {string.Join(", ", inputShape.ToArray())}).");
        // The same graph as a functional model: an Input, then each layer called on the previous output (which
        // builds it, and names both layers when a shape does not fit).
        var input = new Input(inputShape.ToArray(), _input?.Name);
        KerasTensor x = input;
        foreach (var layer in _layers)
        {
            if (layer.OutputCount > 1)
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}) returns {layer.OutputCount} tensors (its output and final states), but a Sequential model passes one tensor from layer to layer; build the model with the functional API (layer.CallAll) instead.");
            x = layer.Call(x);
        }
        Graph = new FunctionalGraph([input], [x], Name);
        return x.Shape;
    }
}
