namespace Dendrite.Layers;

/// <summary>
/// A layer that owns other layers and calls them, as Keras' wrappers do (<c>TimeDistributed</c>,
/// <c>Bidirectional</c>; Keras tracks such layers in <c>layer._layers</c>). Listing them here is all such a layer does
/// for the rest of Dendrite to treat them as Keras does:
/// <list type="bullet">
/// <item><see cref="Layer.Weights"/> lists the layer's own weights, then each sublayer's in <see cref="Sublayers"/>
/// order (Keras' <c>layer.weights</c>); <see cref="Layer.TrainableWeights"/>, <see cref="Layer.NonTrainableWeights"/>,
/// <see cref="Layer.CountParams"/>, models, optimizers and <c>GetWeights</c>/<c>SetWeights</c> follow.</item>
/// <item>Setting <see cref="Layer.Trainable"/> sets it on every sublayer too (Keras' <c>trainable</c> setter).</item>
/// <item>A <c>.keras</c> or <c>.weights.h5</c> file stores the layer's own variables under <c>layers/&lt;key&gt;/vars</c>
/// and each sublayer's under <c>layers/&lt;key&gt;/&lt;attribute&gt;/vars</c> (recursively): the path Keras 3's saving
/// walk (<c>saving_lib._save_state</c>) gives the Python attribute that holds the sublayer, e.g.
/// <c>layers/time_distributed/layer/vars/0</c>. Legacy <c>.h5</c> files list all of them under the layer's group, as
/// Keras 2 wrote them.</item>
/// </list>
/// The layer builds its sublayers itself (in its <c>Build</c>) and serializes them in its config.
/// </summary>
public interface ICompositeLayer
{
    /// <summary>
    /// The owned layers, each with the name of the Keras attribute that holds it (TimeDistributed: <c>layer</c>;
    /// Bidirectional: <c>forward_layer</c> and <c>backward_layer</c>), in the order Keras tracks them (the order of
    /// their weights in <see cref="Layer.Weights"/>). Attribute names are unique within the layer.
    /// </summary>
    IReadOnlyList<(string Attribute, Layer Layer)> Sublayers { get; }
}
