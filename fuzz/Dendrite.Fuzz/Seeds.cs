using Dendrite.Layers;

namespace Dendrite.Fuzz;

/// <summary>The seed files Dendrite writes itself (the others come from fuzz/make_seeds.py; see ../README.md).</summary>
internal static class Seeds
{
    internal static void Write(string dir)
    {
        string weights = Directory.CreateDirectory(Path.Combine(dir, "weights")).FullName;
        string keras = Directory.CreateDirectory(Path.Combine(dir, "keras")).FullName;

        // The weights target's own model: a file that loads completely, with and without optimizer state.
        FuzzTargets.SmallMlp(trained: true).SaveWeights(Path.Combine(weights, "dendrite_mlp_adam.weights.h5"));
        FuzzTargets.SmallMlp(trained: false).SaveWeights(Path.Combine(weights, "dendrite_mlp.weights.h5"));

        // Whole models: the MLP (compiled and trained), an uncompiled one, and a small convnet with more layer kinds.
        FuzzTargets.SmallMlp(trained: true).Save(Path.Combine(keras, "dendrite_mlp_adam.keras"));
        FuzzTargets.SmallMlp(trained: false).Save(Path.Combine(keras, "dendrite_mlp.keras"));
        var conv = new Sequential(
        [
            new InputLayer([6, 6, 1], name: "input_layer"),
            new Conv2D(2, 3, activation: "relu", name: "conv2d"),
            new MaxPooling2D(2, name: "max_pooling2d"),
            new Flatten(name: "flatten"),
            new Dropout(0.5, name: "dropout"),
            new Dense(3, activation: "softmax", name: "dense"),
        ], name: "sequential");
        conv.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        conv.Save(Path.Combine(keras, "dendrite_convnet.keras"));
    }
}
