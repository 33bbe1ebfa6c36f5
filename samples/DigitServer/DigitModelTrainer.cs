using System.Diagnostics;
using Dendrite;
using Dendrite.Datasets;
using Dendrite.Layers;

namespace DigitServer;

/// <summary>
/// Trains the server's default model once, when there is none yet: a small MNIST convnet (two convolution blocks, a
/// hidden dense layer, dropout), <see cref="Epochs"/> epochs of Adam on the 60,000 training images, then saved as a
/// <c>.keras</c> file. The page feeds it digits normalised as MNIST's were (cropped, fitted to 20×20, centred by
/// centre of mass), so plain MNIST training carries over to digits drawn with a mouse or a finger.
/// </summary>
internal static class DigitModelTrainer
{
    /// <summary>Epochs of training: two reach ≈ 0.987 test accuracy on MNIST, in 17–34 s measured on two shared cores.</summary>
    internal const int Epochs = 2;

    /// <summary>The network: Keras' simple MNIST convnet with a 128-unit hidden layer before the classifier.</summary>
    internal static Sequential Build() => new(
        new InputLayer(shape: [28, 28, 1]),
        new Conv2D(32, 3, activation: "relu"),
        new MaxPooling2D(2),
        new Conv2D(64, 3, activation: "relu"),
        new MaxPooling2D(2),
        new Flatten(),
        new Dropout(0.5),
        new Dense(128, activation: "relu"),
        new Dense(10, activation: "softmax"));

    /// <summary>
    /// Trains the network on MNIST (loaded from the Dendrite cache, fetched when missing), prints what it does and the
    /// test accuracy, saves it to <paramref name="path"/> (the library writes a temporary file and renames it, so an
    /// interrupted save leaves no partial model) and returns it.
    /// </summary>
    internal static Model TrainAndSave(string path, TextWriter log)
    {
        log.WriteLine($"No model at {path}: training a small MNIST convnet ({Epochs} epochs) once; later starts load the file.");
        var clock = Stopwatch.StartNew();
        var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
        var x = trainImages.Reshape(-1, 28, 28, 1).AsType<float>() / 255f;
        var xTest = testImages.Reshape(-1, 28, 28, 1).AsType<float>() / 255f;

        var model = Build();
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Fit(x, trainLabels, epochs: Epochs, batchSize: 128, verbose: 2);
        var (_, accuracy) = model.Evaluate(xTest, testLabels, batchSize: 256, verbose: 0);
        log.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s; MNIST test accuracy {accuracy:F4}.");

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        model.Save(path);
        log.WriteLine($"Saved the model to {path}.");
        return model;
    }
}
