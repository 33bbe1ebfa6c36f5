// A layer and a loss of your own, written with array operations only: Dendrite's tape differentiates them, so
// there is no backward code anywhere in this file. Trains on MNIST for 2 epochs.
using Dendrite;
using Dendrite.Autodiff;
using Dendrite.Datasets;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Losses;

var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
var x = trainImages.Reshape(-1, 784).AsType<float>() / 255f;
var xTest = testImages.Reshape(-1, 784).AsType<float>() / 255f;
var y = Utils.ToCategorical(trainLabels, 10);       // one-hot targets for the loss below
var yTest = Utils.ToCategorical(testLabels, 10);

Utils.SetRandomSeed(7);
var model = new Sequential(
    new InputLayer([784]),
    new GatedDense(256),
    new GatedDense(128),
    new Dense(10, activation: "softmax"));
model.Summary();

// A loss given as a function: cross-entropy with label smoothing written with ops (per-sample values; Fit averages).
Loss smoothedCrossentropy = Loss.FromFunction((yTrue, yPred) =>
{
    var smoothed = yTrue * 0.9f + 0.01f;                      // 0.1 of the mass spread over the 10 classes
    return -Ops.Sum(smoothed * Ops.Log(Ops.Clip(yPred, 1e-7f, 1f)), axis: -1);
}, name: "smoothed_crossentropy");

model.Compile(optimizer: "adam", loss: smoothedCrossentropy, metrics: ["categorical_accuracy"]);
model.Fit(x, y, epochs: 2, batchSize: 128, validationSplit: 0.1);
var (loss, accuracy) = model.Evaluate(xTest, yTest);
Console.WriteLine($"Test accuracy: {accuracy:F4}");

/// <summary>
/// A gated dense layer: <c>relu(x·W + b) ⊙ sigmoid(x·V + c)</c> — two projections, one gating the other.
/// Weights are made in <see cref="Build"/> from the input's width; <see cref="Call"/> uses ops and operators only.
/// </summary>
sealed class GatedDense(int units) : Layer
{
    private Variable? _w, _b, _v, _c;

    protected override void Build(Shape inputShape)
    {
        int inputs = inputShape[^1];
        _w = AddWeight("kernel", new Shape(inputs, units), new GlorotUniform());
        _b = AddWeight("bias", new Shape(units), new Zeros());
        _v = AddWeight("gate_kernel", new Shape(inputs, units), new GlorotUniform());
        _c = AddWeight("gate_bias", new Shape(units), new Zeros());
    }

    public override Shape ComputeOutputShape(Shape inputShape) => new(units);

    public override Tensor Call(Tensor inputs, bool training = false)
    {
        var value = Ops.Relu(Ops.MatMul(inputs, _w!.Value) + _b!.Value);
        var gate = Ops.Sigmoid(Ops.MatMul(inputs, _v!.Value) + _c!.Value);
        return value * gate;
    }
}
