// MNIST read row by row: each image is a sequence of 28 steps of 28 pixels, classified by a recurrent layer (the
// Keras book's and keras.io's first sequence model), or by a 1-D convolution over the same sequences.
//   dotnet run --project samples/SequenceMnist -c Release -- [--model lstm|gru|conv1d] [--epochs 10] [--batch-size 128] [--data <mnist folder>]
using System.Diagnostics;
using Dendrite;
using Dendrite.Datasets;
using Dendrite.Layers;

string kind = "lstm";
int epochs = 10, batchSize = 128;
string? dataFolder = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--model": kind = Value().ToLowerInvariant(); break;
        case "--epochs": epochs = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--batch-size": batchSize = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--data": dataFolder = Value(); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--model lstm|gru|conv1d] [--epochs N] [--batch-size N] [--data <mnist folder>]");
            return 2;
    }
}

var ((trainImages, trainLabels), (testImages, testLabels)) = dataFolder is null ? Mnist.LoadData() : Mnist.LoadData(path: dataFolder);
// (samples, 28 rows, 28 pixels): time steps are the rows.
var x = trainImages.AsType<float>() / 255f;
var xTest = testImages.AsType<float>() / 255f;

Layer[] body = kind switch
{
    "lstm" => [new LSTM(128)],
    "gru" => [new GRU(128)],
    // The 1-D convnet of the acceptance test (about 0.984 after 5 epochs): convolutions along the rows, then the
    // strongest response of each filter over the whole image.
    "conv1d" =>
    [
        new Conv1D(64, 5, padding: "same", activation: "relu"),
        new MaxPooling1D(2),
        new Conv1D(128, 3, padding: "same", activation: "relu"),
        new MaxPooling1D(2),
        new Conv1D(128, 3, activation: "relu"),
        new GlobalMaxPooling1D(),
    ],
    _ => throw new ArgumentException($"Unknown model '{kind}': expected lstm, gru or conv1d."),
};

var model = new Sequential([new InputLayer(shape: [28, 28]), .. body, new Dense(10, activation: "softmax")]);
model.Summary();
model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var clock = Stopwatch.StartNew();
model.Fit(x, trainLabels, epochs: epochs, batchSize: batchSize);
clock.Stop();
var (loss, accuracy) = model.Evaluate(xTest, testLabels);

Console.WriteLine($"Training: {clock.Elapsed.TotalSeconds:F1} s for {epochs} epoch(s), {clock.Elapsed.TotalSeconds / epochs:F1} s per epoch");
Console.WriteLine($"Test loss: {loss:F4}");
Console.WriteLine($"Test accuracy: {accuracy:F4}");
return 0;
