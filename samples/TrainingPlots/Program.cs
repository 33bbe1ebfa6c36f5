// The getting-started MNIST model (Deep Learning with Python, chapter 2), trained with a validation split, and the
// three figures the Keras tutorials draw with matplotlib: training curves, a confusion matrix, misclassified digits.
// Run it with:
//   dotnet run --project samples/TrainingPlots -c Release [output folder]
// The figures go to docs/images in the repository by default (the README shows them).
using Dendrite;
using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Plotting;

string outputFolder = args.Length > 0 ? args[0] : Path.Combine(RepositoryRoot(), "docs", "images");
Directory.CreateDirectory(outputFolder);

var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
var trainX = trainImages.Reshape(60000, 28 * 28).AsType<float>() / 255f;
var testX = testImages.Reshape(10000, 28 * 28).AsType<float>() / 255f;

Utils.SetRandomSeed(42); // the same figures on every run
var model = new Sequential(
    new Dense(512, activation: "relu"),
    new Dense(10, activation: "softmax"));
model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

// validationSplit holds out the last 20% of the training images, so the history has val_loss and val_accuracy too.
History history = model.Fit(trainX, trainLabels, epochs: 5, batchSize: 128, validationSplit: 0.2);
var (testLoss, testAccuracy) = model.Evaluate(testX, testLabels);
Console.WriteLine($"test_acc: {testAccuracy:F4}");

// 1. Training and validation loss and accuracy, one panel each.
string curves = Path.Combine(outputFolder, "training-curves.png");
history.Plot(curves);

// 2. The confusion matrix of the test set, counted by Utils.ConfusionMatrix from the predicted scores.
var scores = model.Predict(testX);
string confusion = Path.Combine(outputFolder, "confusion-matrix.png");
Utils.ConfusionMatrix(testLabels, scores).PlotConfusionMatrix(confusion);

// 3. The first 25 test digits the model got wrong.
string misclassified = Path.Combine(outputFolder, "misclassified.png");
int drawn = Plots.PlotMisclassified(misclassified, testImages, testLabels, scores);

Console.WriteLine($"Wrote {curves}");
Console.WriteLine($"Wrote {confusion}");
Console.WriteLine($"Wrote {misclassified} ({drawn} misclassified digits)");

// The folder holding Dendrite.slnx, searched upwards from the working directory and then from the program's own folder.
static string RepositoryRoot()
{
    foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Dendrite.slnx"))) return folder.FullName;
    }
    throw new DirectoryNotFoundException(
        "Cannot find the repository (a folder with Dendrite.slnx) above the working directory or the program; pass the output folder as the first argument.");
}
