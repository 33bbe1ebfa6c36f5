// Keras' "simple MNIST convnet" (keras.io/examples/vision/mnist_convnet), with integer labels, in C#.
// The lines between the markers are the program of the convnet issue's contract, unchanged.
using Dendrite;
using Dendrite.Datasets;
using Dendrite.Layers;

// --- contract ---
var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
var x = trainImages.Reshape(-1, 28, 28, 1).AsType<float>() / 255f;
var xTest = testImages.Reshape(-1, 28, 28, 1).AsType<float>() / 255f;

var model = new Sequential(
    new InputLayer(shape: [28, 28, 1]),
    new Conv2D(32, 3, activation: "relu"),
    new MaxPooling2D(2),
    new Conv2D(64, 3, activation: "relu"),
    new MaxPooling2D(2),
    new Flatten(),
    new Dropout(0.5),
    new Dense(10, activation: "softmax"));
model.Summary();
model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
model.Fit(x, trainLabels, epochs: 5, batchSize: 128, validationSplit: 0.1);
var (loss, accuracy) = model.Evaluate(xTest, testLabels);
// --- end of contract ---

Console.WriteLine($"Test loss: {loss:F4}");
Console.WriteLine($"Test accuracy: {accuracy:F4}");
