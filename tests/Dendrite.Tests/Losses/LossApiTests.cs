using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Losses;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>Names, aliases, defaults, function losses and the errors a wrong target gives.</summary>
public class LossApiTests
{
    [Theory]
    [InlineData("sparse_categorical_crossentropy", typeof(SparseCategoricalCrossentropy), "sparse_categorical_crossentropy")]
    [InlineData("SparseCategoricalCrossentropy", typeof(SparseCategoricalCrossentropy), "sparse_categorical_crossentropy")]
    [InlineData("categorical_crossentropy", typeof(CategoricalCrossentropy), "categorical_crossentropy")]
    [InlineData("CategoricalCrossentropy", typeof(CategoricalCrossentropy), "categorical_crossentropy")]
    [InlineData("binary_crossentropy", typeof(BinaryCrossentropy), "binary_crossentropy")]
    [InlineData("bce", typeof(BinaryCrossentropy), "binary_crossentropy")]
    [InlineData("BCE", typeof(BinaryCrossentropy), "binary_crossentropy")]
    [InlineData("mean_squared_error", typeof(MeanSquaredError), "mean_squared_error")]
    [InlineData("mse", typeof(MeanSquaredError), "mean_squared_error")]
    [InlineData("MeanSquaredError", typeof(MeanSquaredError), "mean_squared_error")]
    [InlineData("mean_absolute_error", typeof(MeanAbsoluteError), "mean_absolute_error")]
    [InlineData("mae", typeof(MeanAbsoluteError), "mean_absolute_error")]
    [InlineData("huber", typeof(Huber), "huber_loss")]
    [InlineData("Huber", typeof(Huber), "huber_loss")]
    [InlineData("kl_divergence", typeof(KLDivergence), "kl_divergence")]
    [InlineData("kld", typeof(KLDivergence), "kl_divergence")]
    [InlineData("KLDivergence", typeof(KLDivergence), "kl_divergence")]
    public void KerasNamesAndAliasesResolve(string name, Type type, string kerasName)
    {
        Loss loss = name;
        Assert.IsType(type, loss);
        Assert.Equal(kerasName, loss.Name);
        Assert.IsType(type, Loss.Get(name));
    }

    [Fact]
    public void CrossentropyPicksTheLossFromTheShapesAsKerasCompileDoes()
    {
        var p1 = Const([0.3f, 0.8f], 2, 1); var p3 = Const(Uniform(1, 6, 0.1, 1), 2, 3);
        Loss binary = "crossentropy", sparse = "ce", categorical = "crossentropy";
        Assert.Equal(Ops.BinaryCrossentropy(Const([0f, 1f], 2), p1).Values[0], binary.Call(Const([0f, 1f], 2), p1).Values[0]);
        Assert.IsType<BinaryCrossentropy>(((Crossentropy)binary).Resolved);
        Assert.Equal(Ops.SparseCategoricalCrossentropy(Const([2f, 0f], 2), p3).Values[0], sparse.Call(Const([2f, 0f], 2), p3).Values[0]);
        Assert.IsType<SparseCategoricalCrossentropy>(((Crossentropy)sparse).Resolved);
        Assert.Equal("ce", sparse.Name);
        var oneHot = Const([0f, 0f, 1f, 1f, 0f, 0f], 2, 3);
        Assert.Equal(Ops.CategoricalCrossentropy(oneHot, p3).Values[0], categorical.Call(oneHot, p3).Values[0]);
        Assert.IsType<CategoricalCrossentropy>(((Crossentropy)categorical).Resolved);
    }

    [Fact]
    public void DefaultsAreKeras()
    {
        var bce = (BinaryCrossentropy)Loss.Get("binary_crossentropy");
        Assert.False(bce.FromLogits);
        Assert.Equal(0f, bce.LabelSmoothing);
        var cce = (CategoricalCrossentropy)Loss.Get("categorical_crossentropy");
        Assert.False(cce.FromLogits);
        Assert.Equal(0f, cce.LabelSmoothing);
        Assert.Equal(1f, ((Huber)Loss.Get("huber")).Delta);
        Assert.False(((SparseCategoricalCrossentropy)Loss.Get("sparse_categorical_crossentropy")).FromLogits);
    }

    [Fact]
    public void UnknownNamesAndBadArgumentsThrow()
    {
        var error = Assert.Throws<ArgumentException>(() => Loss.Get("no_such_loss"));
        Assert.Contains("'no_such_loss'", error.Message);
        Assert.Contains("binary_crossentropy", error.Message);
        Assert.Throws<ArgumentException>(() => new Huber(0f));
        Assert.Throws<ArgumentException>(() => new Huber(float.NaN));
        Assert.Contains("labelSmoothing", Assert.Throws<ArgumentException>(() => new BinaryCrossentropy(labelSmoothing: 1.5f)).Message);
        Assert.Throws<ArgumentException>(() => new CategoricalCrossentropy(labelSmoothing: -0.1f));
    }

    private static Tensor SquaredLogError(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Square(yPred - yTrue), axis: -1);

    [Fact]
    public void FunctionsBecomeLossesNamedAfterTheirMethod()
    {
        Loss fromMethod = (Func<Tensor, Tensor, Tensor>)SquaredLogError;
        Assert.Equal("SquaredLogError", fromMethod.Name);
        Assert.Equal("lambda", Loss.FromFunction((t, p) => Ops.Abs(p - t)).Name);
        Assert.Equal("my_loss", Loss.FromFunction((t, p) => Ops.Abs(p - t), "my_loss").Name);
        Assert.Throws<ArgumentNullException>(() => Loss.FromFunction(null!));
    }

    [Fact]
    public void AFunctionLossIsReducedAsKerasReducesIt()
    {
        var t = Uniform(1, 12, -1, 1); var p = Uniform(2, 12, -1, 1);
        double mse = LossReference.MeanSquaredError(t, p, 4);
        // Per-sample values (3,) are averaged; per-element values (3, 4) too; a scalar is taken as it is.
        Assert.Equal(mse, Loss.FromFunction(SquaredLogError).Call(Const(t, 3, 4), Const(p, 3, 4)).Values[0], 1e-6);
        Assert.Equal(mse, Loss.FromFunction((a, b) => Ops.Square(b - a)).Call(Const(t, 3, 4), Const(p, 3, 4)).Values[0], 1e-6);
        Assert.Equal(42f, Loss.FromFunction((a, b) => Ops.Constant(42f)).Call(Const(t, 3, 4), Const(p, 3, 4)).Values[0]);
        // A (12,) target against (12, 1) predictions is expanded to (12, 1) first, so the difference is elementwise.
        var seen = new List<Shape>();
        var loss = Loss.FromFunction((a, b) => { seen.Add(a.Shape); seen.Add(b.Shape); return Ops.Square(b - a); });
        Assert.Equal(LossReference.MeanSquaredError(t, p, 1), loss.Call(Const(t, 12), Const(p, 12, 1)).Values[0], 1e-6);
        Assert.Equal([new Shape(12, 1), new Shape(12, 1)], seen);
        var nullResult = Loss.FromFunction((a, b) => null!, "broken");
        Assert.Contains("'broken'", Assert.Throws<InvalidOperationException>(() => nullResult.Call(Const(t, 12), Const(p, 12))).Message);
    }

    [Fact]
    public void OneHotLossesRejectIntegerLabelsNamingTheFix()
    {
        var p = Const(Uniform(3, 12, 0.1, 1), 4, 3);
        var error = Assert.Throws<ArgumentException>(() => Ops.CategoricalCrossentropy(Const([0, 1, 2, 1], 4), p));
        Assert.Contains("categorical_crossentropy", error.Message);
        Assert.Contains("(4,)", error.Message);
        Assert.Contains("(4, 3)", error.Message);
        Assert.Contains("sparse_categorical_crossentropy", error.Message);
        Assert.Contains("ToCategorical", error.Message);
    }

    [Fact]
    public void MismatchedShapesThrowNamingTheLossAndBothShapes()
    {
        var p = Const(Uniform(4, 6, 0.1, 0.9), 2, 3);
        foreach (var (name, call) in new (string, Func<Tensor>)[]
        {
            ("mean_squared_error", () => Ops.MeanSquaredError(Const(Uniform(5, 6), 3, 2), p)),
            ("mean_absolute_error", () => Ops.MeanAbsoluteError(Const(Uniform(5, 4), 2, 2), p)),
            ("huber_loss", () => Ops.Huber(Const(Uniform(5, 6), 6), p)),
            ("kl_divergence", () => Ops.KLDivergence(Const(Uniform(5, 12), 2, 3, 2), p)),
            ("binary_crossentropy", () => Ops.BinaryCrossentropy(Const(Uniform(5, 2), 2), p)),
        })
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Contains(name, error.Message);
            Assert.Contains("(2, 3)", error.Message);
        }
        Assert.Contains("one-hot", Assert.Throws<ArgumentException>(() => Ops.SparseCategoricalCrossentropy(Const(Uniform(5, 6, 0, 1), 2, 3), p)).Message);
    }

    [Fact]
    public void FitChecksTargetsBeforeTheFirstStep()
    {
        var x = new NDArray<float>(Uniform(6, 20 * 2), 20, 2);
        var labels = new NDArray<int>([.. Enumerable.Range(0, 20).Select(i => i % 3)], 20);
        var model = new Sequential(new Dense(3, activation: "softmax"));
        model.Compile(loss: "categorical_crossentropy");
        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, labels, verbose: 0));
        Assert.Contains("y_true has shape (20,)", error.Message);
        Assert.Contains("y_pred has shape (20, 3)", error.Message);

        var regression = new Sequential(new Dense(2));
        regression.Compile(loss: "mse");
        Assert.Contains("mean_squared_error", Assert.Throws<ArgumentException>(() => regression.Fit(x, new NDArray<float>(Uniform(7, 60), 20, 3), verbose: 0)).Message);
        // A one-column output takes (20,) targets: Keras gives them the trailing axis.
        var single = new Sequential(new Dense(1));
        single.Compile(loss: "mse");
        single.Fit(x, new NDArray<float>(Uniform(8, 20), 20), epochs: 1, verbose: 0);
    }

    [Fact]
    public void SparseLabelsOfAnotherShapeAreRejectedBeforeTraining()
    {
        var x = new NDArray<float>(Uniform(9, 20 * 2), 20, 2);
        var model = new Sequential(new Dense(3, activation: "softmax"));
        model.Compile(loss: "sparse_categorical_crossentropy");
        var oneHot = Utils.ToCategorical(new NDArray<int>([.. Enumerable.Range(0, 20).Select(i => i % 3)], 20));
        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, oneHot, verbose: 0));
        Assert.Contains("(20, 3)", error.Message);
        Assert.Contains("categorical_crossentropy", error.Message);
    }
}
