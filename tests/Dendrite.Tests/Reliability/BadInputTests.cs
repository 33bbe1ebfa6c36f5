using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Callbacks;
using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Optimizers.Schedules;
using Dendrite.Saving;
using Dendrite.Training;
using Xunit.Abstractions;
using static Dendrite.Tests.Reliability.BadInputCases;
// The loss classes, not the metrics of the same Keras names.
using BinaryCrossentropy = Dendrite.Losses.BinaryCrossentropy;
using CategoricalCrossentropy = Dendrite.Losses.CategoricalCrossentropy;
using KLDivergence = Dendrite.Losses.KLDivergence;
using SparseCategoricalCrossentropy = Dendrite.Losses.SparseCategoricalCrossentropy;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Every public entry point on bad input: wrong shapes, ranks and dtypes, labels out of range, NaN and infinities,
/// empty arrays, zero and negative sizes, mismatched sample counts and nulls. Each case must end in a documented
/// exception whose message names the parameter (or the layer or argument), what was expected and what was given —
/// never an IndexOutOfRangeException, NullReferenceException, InvalidCastException, OverflowException,
/// DivideByZeroException or AccessViolationException from deep inside, never a hang, never a silent garbage result.
/// </summary>
/// <remarks>
/// Decisions recorded here:
/// <list type="bullet">
/// <item>Fit and Evaluate on 0 samples throw ArgumentException ("x is empty …; there is nothing to train or evaluate
/// on") where Keras fails with an opaque "Unexpected result of `train_function` (Empty logs)". Predict on 0 samples is
/// not an error: it returns an empty (0, …) array (Keras fails with "Empty batch_outputs"); an empty answer to an
/// empty question is not garbage. <see cref="PredictOnNoSamplesIsAnEmptyArray"/> pins that down.</item>
/// <item>Integer NDArray division by zero (DivideByZeroException) and integer sums that overflow their element type
/// (OverflowException) are the documented, deliberate refusals of NDArray's arithmetic (NumPy would return a silently
/// wrong value); they stay, and their cases assert exactly those documented types.</item>
/// </list>
/// </remarks>
// Run apart from the parallel classes: hundreds of small models and fits would otherwise disturb the process-wide
// memory measurements of ConcurrencyTests, and the fits draw from the global random generator.
[Collection(GlobalStateCollection.Name)]
public sealed class BadInputTests(ITestOutputHelper output)
{
    /// <summary>Exceptions that only ever mean a missing check when they escape a public method.</summary>
    private static readonly Type[] Forbidden =
    [
        typeof(IndexOutOfRangeException), typeof(NullReferenceException), typeof(InvalidCastException),
        typeof(OverflowException), typeof(DivideByZeroException), typeof(AccessViolationException),
        typeof(KeyNotFoundException), typeof(NotImplementedException), typeof(ArrayTypeMismatchException),
    ];

    private static readonly Lazy<IReadOnlyList<BadInputCase>> Cases = new(BuildCases);

    /// <summary>The case ids, one theory row each, so that the count shows in the test run.</summary>
    public static IEnumerable<object[]> CaseIds()
    {
        foreach (var c in Cases.Value) yield return [c.Id];
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task EndsInADocumentedExceptionNamingTheArgument(string id)
    {
        var c = Cases.Value.Single(x => x.Id == id);
        Exception? thrown = null;
        var run = Task.Run(() =>
        {
            try { c.Act(); }
            catch (Exception e) { thrown = e; }
        });
        var first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(first == run, $"{id}: did not return within 60 s (hang).");
        Assert.True(thrown is not null, $"{id}: returned normally; expected {c.Expected.Name}.");
        var e = thrown!;
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        Assert.False(Forbidden.Contains(e.GetType()) && e.GetType() != c.Expected,
            $"{id}: a bare {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
        Assert.True(c.Expected.IsInstanceOfType(e),
            $"{id}: expected {c.Expected.Name}, got {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{id}: empty message.");
        foreach (string part in c.MessageParts)
            Assert.True(e.Message.Contains(part, StringComparison.OrdinalIgnoreCase),
                $"{id}: the message does not mention '{part}': {e.Message}");
        if (e is ArgumentNullException nullError && c.Expected == typeof(ArgumentNullException))
            Assert.False(string.IsNullOrEmpty(nullError.ParamName), $"{id}: ArgumentNullException without a parameter name.");
    }

    [Fact]
    public void PredictOnNoSamplesIsAnEmptyArray()
    {
        var result = Mlp().Predict(NDArray<float>.Zeros(0, 4), verbose: 0);
        Assert.Equal(new Shape(0, 3), result.Shape);
    }

    [Fact]
    public void CasesPerEntryPointGroup()
    {
        var groups = Cases.Value.GroupBy(c => c.Group).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var g in groups) output.WriteLine($"{g.Key,-28} {g.Count(),4}");
        output.WriteLine($"{"total",-28} {Cases.Value.Count,4}");
        Assert.True(Cases.Value.Count >= 150, $"only {Cases.Value.Count} bad-input cases");
        Assert.All(groups, g => Assert.True(g.Count() >= 3, $"group '{g.Key}' has only {g.Count()} case(s)"));
    }

    // ---------------------------------------------------------------- fixtures

    private static NDArray<float> F(int n, params int[] features)
    {
        int size = n * features.Aggregate(1, (p, d) => p * d);
        return new NDArray<float>(TestData.Uniform(7, size), [n, .. features]);
    }

    private static NDArray<int> Labels(params int[] values) => new(values);

    private static NDArray<float> With(NDArray<float> x, int index, float value)
    {
        var data = x.ToArray();
        data[index] = value;
        return new NDArray<float>(data, x.Shape.ToArray());
    }

    /// <summary>A built, compiled 4 → 8 → 3 softmax classifier.</summary>
    private static Sequential Mlp(bool compile = true)
    {
        var model = new Sequential(new InputLayer([4]), new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"));
        if (compile) model.Compile("sgd", "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    /// <summary>A functional model with two inputs (4 and 2 features) and two outputs (3 classes, 1 value).</summary>
    private static Model TwoByTwo()
    {
        var a = new Input([4], "a");
        var b = new Input([2], "b");
        var h = new Concatenate().Call(a, b);
        var cls = new Dense(3, activation: "softmax", name: "cls").Call(h);
        var reg = new Dense(1, name: "reg").Call(h);
        var model = new Model([a, b], [cls, reg]);
        model.Compile("sgd", ["sparse_categorical_crossentropy", "mse"]);
        return model;
    }

    private static Tensor T(float[] values, params int[] shape) => new(values, shape);

    private static Tensor T(params int[] shape) => new(TestData.Uniform(3, shape.Aggregate(1, (p, d) => p * d)), shape);

    /// <summary>A path in a new, existing temporary folder.</summary>
    private static string TempPath(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"dendrite-badinput-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    // ---------------------------------------------------------------- cases

    private static IReadOnlyList<BadInputCase> BuildCases()
    {
        var c = new BadInputCases();
        NDArrayCases(c);
        ShapeCases(c);
        LayerConstructorCases(c);
        LayerCallCases(c);
        SequentialAndBuildCases(c);
        FunctionalCases(c);
        CompileCases(c);
        FitCases(c);
        EvaluatePredictCases(c);
        WeightsAndSavingCases(c);
        CallbackCases(c);
        OptimizerCases(c);
        ScheduleCases(c);
        LossCases(c);
        MetricCases(c);
        UtilsCases(c);
        DatasetCases(c);
        OpsCases(c);
        OpsNullCases(c);
        return c.All;
    }

    private static void NDArrayCases(BadInputCases c)
    {
        c.Group("NDArray constructors")
            .Null("null data", () => _ = new NDArray<float>(null!, 2), "data")
            .Arg("size does not fit shape", () => _ = new NDArray<float>(new float[5], 2, 3), "shape", "size 5", "(2, 3)")
            .Arg("negative dimension", () => _ = new NDArray<float>(new float[0], -1, 0), ">= 0", "-1")
            .Arg("Zeros with negative dimension", () => NDArray<float>.Zeros(3, -2), ">= 0", "-2")
            .Arg("FromSpan size mismatch", () => NDArray<int>.FromSpan([1, 2, 3], 2, 2), "shape", "size 3", "(2, 2)")
            .Arg("shape too large for an array", () => NDArray<byte>.Zeros(1 << 16, 1 << 16), "(65536, 65536)", "elements");

        c.Group("NDArray.Reshape")
            .Null("null shape", () => F(2, 3).Reshape(null!), "shape")
            .Arg("wrong total size", () => F(2, 3).Reshape(4, 2), "shape", "size 6", "(4, 2)")
            .Arg("two unknown dimensions", () => F(2, 3).Reshape(-1, -1), "shape", "one unknown")
            .Arg("negative dimension", () => F(2, 3).Reshape(-2, 3), "shape", "-2")
            .Arg("-1 with a zero dimension", () => F(2, 3).Reshape(0, -1), "shape", "size 6", "(0, -1)")
            .Arg("-1 that does not divide", () => F(2, 3).Reshape(4, -1), "shape", "size 6", "(4, -1)");

        c.Group("NDArray indexing")
            .Arg("row index past the end", () => _ = F(3, 2)[3], "index 3", "axis 0", "size 3")
            .Arg("negative row index past the start", () => _ = F(3, 2)[-4], "index -4", "axis 0", "size 3")
            .Arg("element index past the end", () => _ = F(3, 2)[0, 2], "index 2", "axis 1", "size 2")
            .Arg("too many indices", () => _ = F(3, 2)[new[] { 1, 0, 0 }], "expected 2 indices", "got 3")
            .Arg("setting past the end", () => { var x = F(3, 2); x[5, 0] = 1; }, "index 5", "axis 0")
            .Null("null indices", () => _ = F(3, 2)[(int[])null!], "indices")
            .Arg("indexing a 0-d array", () => _ = F(1).Reshape()[0], "0-d")
            .Arg("slicing a 0-d array", () => _ = F(1).Reshape()[0..1], "0-d")
            .Invalid("Item of a multi-element array", () => F(2, 2).Item(), "size 1", "(2, 2)")
            .Invalid("Length of a 0-d array", () => _ = F(1).Reshape().Length, "0-d")
            .Arg("CopyTo a short destination", () => F(2, 3).CopyTo(new float[5]), "destination", "5", "6");

        c.Group("NDArray arithmetic")
            .Arg("shapes that do not broadcast", () => _ = F(2, 3) + F(2, 2), "broadcast", "(2,3)", "(2,2)")
            .Arg("different ranks that do not broadcast", () => _ = F(4, 3) * F(4), "broadcast", "(4,3)", "(4,)")
            .Null("null left operand", () => _ = (NDArray<float>)null! + F(2), "left")
            .Null("null right operand", () => _ = F(2) - (NDArray<float>)null!, "right")
            .Null("null operand of a scalar op", () => _ = (NDArray<float>)null! * 2f, "left")
            .Null("null negation", () => _ = -(NDArray<float>)null!, "operand")
            .Arg("in-place into a smaller operand", () => { var x = F(1, 3); x += F(2, 3); }, "non-broadcastable", "(1,3)", "(2,3)")
            .Add<DivideByZeroException>("integer division by zero (documented)", () => _ = new NDArray<int>([1, 2]) / 0, "zero")
            .Add<DivideByZeroException>("integer division by a zero element (documented)", () => _ = new NDArray<int>([1, 2]) / new NDArray<int>([1, 0]), "zero");

        c.Group("NDArray reductions")
            .Arg("Sum along a missing axis", () => F(2, 3).Sum(2), "axis", "2", "rank 2")
            .Arg("Mean along a negative axis past the start", () => F(2, 3).Mean(-3), "axis", "-3", "rank 2")
            .Arg("Max along a missing axis", () => F(2, 3).Max(5), "axis", "5")
            .Arg("Min along a missing axis", () => F(2, 3).Min(-4), "axis", "-4")
            .Arg("ArgMax along a missing axis", () => F(2, 3).ArgMax(2), "axis", "2")
            .Arg("axis of a 0-d array", () => F(1).Reshape().Sum(0), "axis", "rank 0")
            .Add<InvalidOperationException>("Max of an empty array", () => NDArray<float>.Zeros(0).Max(), "zero-size", "maximum")
            .Add<InvalidOperationException>("Min of an empty array", () => NDArray<float>.Zeros(0).Min(), "zero-size", "minimum")
            .Add<InvalidOperationException>("ArgMax of an empty array", () => NDArray<float>.Zeros(0, 3).ArgMax(), "empty")
            .Add<InvalidOperationException>("Max along an empty axis", () => NDArray<float>.Zeros(0, 3).Max(0), "zero-size", "maximum")
            .Add<InvalidOperationException>("ArgMax along an empty axis", () => NDArray<float>.Zeros(2, 0).ArgMax(1), "empty")
            .Add<OverflowException>("byte sum past 255 (documented)", () => new NDArray<byte>([200, 100]).Sum(), "uint8", "300");
    }

    private static void ShapeCases(BadInputCases c)
    {
        c.Group("Shape")
            .Arg("negative dimension", () => _ = new Shape(2, -1), "dims", ">= 0", "-1")
            .Null("null dims", () => _ = new Shape(null!), "dims")
            .Arg("axis out of range", () => _ = new Shape(2, 3)[2], "axis", "2", "rank 2")
            .Arg("negative axis out of range", () => _ = new Shape(2, 3)[-3], "axis", "-3", "rank 2");
    }

    private static void LayerConstructorCases(BadInputCases c)
    {
        c.Group("Dense")
            .Arg("zero units", () => _ = new Dense(0), "units", "positive", "units=0")
            .Arg("negative units", () => _ = new Dense(-3), "units", "positive", "units=-3")
            .Arg("unknown activation", () => _ = new Dense(2, activation: "swishy"), "swishy", "relu")
            .Null("null activation name", () => _ = new Dense(2, activation: (string)null!), "name")
            .Arg("unknown initializer", () => _ = new Dense(2, kernelInitializer: "gaussianish"), "gaussianish")
            .Arg("too many weights", () => _ = new Sequential(new InputLayer([1 << 16]), new Dense(1 << 16)), "kernel", "(65536, 65536)", "elements");

        c.Group("Conv2D")
            .Arg("zero filters", () => _ = new Conv2D(0, 3), "filters", "positive", "filters=0")
            .Arg("negative filters", () => _ = new Conv2D(-1, 3), "filters", "filters=-1")
            .Arg("zero kernel size", () => _ = new Conv2D(4, 0), "kernelSize", "positive", "(0, 0)")
            .Arg("negative kernel width", () => _ = new Conv2D(4, (3, -1)), "kernelSize", "(3, -1)")
            .Arg("zero strides", () => _ = new Conv2D(4, 3, strides: 0), "strides", "positive", "(0, 0)")
            .Arg("negative strides", () => _ = new Conv2D(4, 3, strides: (-2, 1)), "strides", "(-2, 1)")
            .Arg("unknown padding", () => _ = new Conv2D(4, 3, padding: "full"), "padding", "full", "valid")
            .Arg("zero dilation", () => _ = new Conv2D(4, 3, dilationRate: 0), "dilation", "(0, 0)")
            .Arg("dilation with strides", () => _ = new Conv2D(4, 3, strides: 2, dilationRate: 2), "dilation", "strides")
            .Arg("kernel larger than the image", () => _ = new Sequential(new InputLayer([2, 2, 1]), new Conv2D(1, 3)), "Conv2D", "3×3 window", "input 2×2")
            .Arg("rank-2 input", () => _ = new Sequential(new InputLayer([5]), new Conv2D(1, 3)), "Conv2D", "(5,)");

        c.Group("Pooling")
            .Arg("MaxPooling2D zero pool size", () => _ = new MaxPooling2D(0), "MaxPooling2D", "poolSize", "(0, 0)")
            .Arg("MaxPooling2D negative strides", () => _ = new MaxPooling2D(2, strides: -1), "MaxPooling2D", "strides", "(-1, -1)")
            .Arg("AveragePooling2D negative pool size", () => _ = new AveragePooling2D((2, -2)), "AveragePooling2D", "poolSize", "(2, -2)")
            .Arg("AveragePooling2D zero strides", () => _ = new AveragePooling2D(2, strides: (0, 1)), "AveragePooling2D", "strides", "(0, 1)")
            .Arg("MaxPooling2D unknown padding", () => _ = new MaxPooling2D(padding: "causal"), "padding", "causal")
            .Arg("MaxPooling2D window larger than the image", () => _ = new Sequential(new InputLayer([1, 1, 2]), new MaxPooling2D(2)), "MaxPooling2D", "2×2 window", "input 1×1")
            .Arg("MaxPooling2D on a rank-2 input", () => _ = new Sequential(new InputLayer([6]), new MaxPooling2D()), "MaxPooling2D", "(6,)", "rank 4")
            .Arg("GlobalAveragePooling2D on a rank-2 input", () => _ = new Sequential(new InputLayer([6]), new GlobalAveragePooling2D()), "GlobalAveragePooling2D", "(6,)");

        c.Group("Dropout")
            .Arg("negative rate", () => _ = new Dropout(-0.1), "rate", "-0.1")
            .Arg("rate of 1", () => _ = new Dropout(1.0), "rate", "1")
            .Arg("NaN rate", () => _ = new Dropout(double.NaN), "rate", "NaN")
            .Arg("infinite rate", () => _ = new Dropout(double.PositiveInfinity), "rate", "inf");

        c.Group("Reshape layer")
            .Null("null target shape", () => _ = new Reshape(null!), "shape")
            .Arg("empty target shape", () => _ = new Reshape([]), "Reshape", "()")
            .Arg("zero dimension", () => _ = new Reshape([2, 0]), "Reshape", "(2, 0)")
            .Arg("two -1", () => _ = new Reshape([-1, -1]), "Reshape", "(-1, -1)")
            .Arg("negative dimension", () => _ = new Reshape([-3, 2]), "Reshape", "(-3, 2)")
            .Arg("wrong total size", () => _ = new Sequential(new InputLayer([6]), new Reshape([4, 2])), "Reshape", "(6,)", "(4, 2)")
            .Arg("-1 that does not divide", () => _ = new Sequential(new InputLayer([6]), new Reshape([4, -1])), "Reshape", "(6,)", "(4, -1)");

        c.Group("Rescaling")
            .Arg("NaN scale", () => _ = new Rescaling(double.NaN), "Rescaling", "scale", "NaN")
            .Arg("infinite scale", () => _ = new Rescaling(double.PositiveInfinity), "Rescaling", "scale", "Infinity")
            .Arg("NaN offset", () => _ = new Rescaling(1.0, double.NaN), "Rescaling", "offset", "NaN")
            .Arg("infinite offset", () => _ = new Rescaling(1.0, double.NegativeInfinity), "Rescaling", "offset", "-Infinity");

        c.Group("BatchNormalization")
            .Arg("momentum above 1", () => _ = new BatchNormalization(momentum: 1.5), "momentum", "1.5")
            .Arg("negative momentum", () => _ = new BatchNormalization(momentum: -0.1), "momentum", "-0.1")
            .Arg("NaN momentum", () => _ = new BatchNormalization(momentum: double.NaN), "momentum", "NaN")
            .Arg("zero epsilon", () => _ = new BatchNormalization(epsilon: 0), "epsilon", "0")
            .Arg("negative epsilon", () => _ = new BatchNormalization(epsilon: -1e-3), "epsilon", "-0.001")
            .Arg("axis past the last", () => _ = new Sequential(new InputLayer([4]), new BatchNormalization(axis: 2)), "BatchNormalization", "axis", "2")
            .Arg("batch axis", () => _ = new Sequential(new InputLayer([4]), new BatchNormalization(axis: 0)), "BatchNormalization", "axis", "0");

        c.Group("LayerNormalization")
            .Arg("zero epsilon", () => _ = new LayerNormalization(epsilon: 0), "epsilon", "0")
            .Arg("NaN epsilon", () => _ = new LayerNormalization(epsilon: double.NaN), "epsilon", "NaN")
            .Arg("axis past the last", () => _ = new Sequential(new InputLayer([4]), new LayerNormalization(axis: 3)), "LayerNormalization", "axis", "3")
            .Arg("negative axis past the batch axis", () => _ = new Sequential(new InputLayer([4]), new LayerNormalization(axis: -3)), "LayerNormalization", "axis", "-3");

        c.Group("Merging layers")
            .Arg("Add on one input", () => new Add().Call(new Input([3])), "Add", "at least 2")
            .Arg("Add on different shapes", () => new Add().Call(new Input([3]), new Input([4])), "Add", "(None, 3)", "(None, 4)")
            .Arg("Subtract on three inputs", () => new Subtract().Call(new Input([3]), new Input([3]), new Input([3])), "Subtract", "exactly 2", "3")
            .Arg("Multiply on different ranks", () => new Multiply().Call(new Input([3]), new Input([3, 1])), "Multiply", "(None, 3)", "(None, 3, 1)")
            .Arg("Average on one tensor", () => new Average().Call(T(2, 3)), "Average", "at least 2")
            .Arg("Maximum on one tensor list", () => new Maximum().Call([T(2, 3)]), "Maximum", "at least 2", "1")
            .Null("Minimum on a null list", () => new Minimum().Call((IReadOnlyList<Tensor>)null!), "inputs")
            .Arg("Concatenate on the batch axis", () => new Concatenate(axis: 0).Call(new Input([3]), new Input([3])), "Concatenate", "axis 0")
            .Arg("Concatenate axis past the last", () => new Concatenate(axis: 3).Call(new Input([3]), new Input([3])), "Concatenate", "axis 3", "rank 2")
            .Arg("Concatenate mismatched other axes", () => new Concatenate().Call(new Input([2, 3]), new Input([4, 3])), "Concatenate", "(None, 2, 3)", "(None, 4, 3)")
            .Null("Call with a null KerasTensor", () => new Add().Call(new Input([3]), null!), "inputs")
            .Arg("Call with no KerasTensors", () => new Add().Call(Array.Empty<KerasTensor>()), "Add", "no inputs");

        c.Group("InputLayer and Input")
            .Null("null shape", () => _ = new InputLayer(null!), "shape")
            .Arg("empty shape", () => _ = new InputLayer([]), "InputLayer", "shape", "()")
            .Arg("zero dimension", () => _ = new InputLayer([28, 0]), "InputLayer", "(28, 0)")
            .Arg("negative dimension", () => _ = new Input([-1, 4]), "InputLayer", "(-1, 4)")
            .Invalid("calling an InputLayer", () => new InputLayer([3]).Call(new Input([3])), "InputLayer", "new Input(shape)")
            .Arg("InputLayer after another layer", () => _ = new Sequential(new Dense(2), new InputLayer([3])), "InputLayer", "first layer")
            .Arg("two InputLayers", () => _ = new Sequential(new InputLayer([3]), new InputLayer([3]), new Dense(2)), "InputLayer", "first layer");

        c.Group("Activation and other layers")
            .Null("Activation with null function", () => _ = new Activation((ActivationFunction)null!), "activation")
            .Arg("unknown activation name", () => _ = new Activation("gelu-ish"), "gelu-ish")
            .Null("ActivationFunction.Get(null)", () => ActivationFunction.Get(null!), "name")
            .Null("Layer.EnsureBuilt(null)", () => new Dense(2).EnsureBuilt((IReadOnlyList<Shape>)null!), "inputShapes")
            .Arg("Dense built on a per-sample shape of 0", () => new Sequential(new Dense(2)).Build(0), "inputShape", "(0,)");
    }

    private static void LayerCallCases(BadInputCases c)
    {
        c.Group("Layer.Call on tensors")
            .Arg("Dense on the wrong feature count", () => { var d = new Dense(2); d.EnsureBuilt(new Shape(4)); d.Call(T(3, 5)); }, "Dense", "4", "(3, 5)")
            .Arg("Dense on a rank-1 batch", () => { var d = new Dense(2); d.EnsureBuilt(new Shape(4)); d.Call(T(4)); }, "Dense", "(4,)")
            .Arg("Conv2D on a rank-3 batch", () => { var l = new Conv2D(2, 3); l.EnsureBuilt(new Shape(5, 5, 1)); l.Call(T(5, 5, 1)); }, "Conv2D", "(5, 5, 1)")
            .Arg("Conv2D on the wrong channel count", () => { var l = new Conv2D(2, 3); l.EnsureBuilt(new Shape(5, 5, 1)); l.Call(T(1, 5, 5, 2)); }, "Conv2D", "(batch, height, width, 1)", "(1, 5, 5, 2)")
            .Arg("MaxPooling2D on a rank-2 batch", () => new MaxPooling2D().Call(T(2, 4)), "MaxPool", "(2, 4)")
            .Arg("Reshape on the wrong size", () => new Reshape([4]).Call(T(2, 5)), "Reshape", "(5,)", "(4)")
            .Null("Dense on a null tensor", () => { var d = new Dense(2); d.EnsureBuilt(new Shape(4)); d.Call((Tensor)null!); }, "inputs")
            .Null("Rescaling on a null tensor", () => new Rescaling(0.5).Call((Tensor)null!), "inputs")
            .Null("Dropout on a null tensor", () => new Dropout(0.5).Call((Tensor)null!, training: true), "inputs");
    }

    private static void SequentialAndBuildCases(BadInputCases c)
    {
        c.Group("Sequential and Build")
            .Null("null layer array", () => _ = new Sequential((Layer[])null!), "layers")
            .Null("null layer sequence", () => _ = new Sequential((IEnumerable<Layer>)null!, "m"), "layers")
            .Null("null layer in the array", () => _ = new Sequential(new Dense(2), null!), "layer")
            .Null("Add(null)", () => new Sequential().Add(null!), "layer")
            .Arg("duplicate layer names", () => _ = new Sequential(new Dense(2, name: "d"), new Dense(2, name: "d")), "unique names", "'d'")
            .Invalid("Add after building", () => Mlp(false).Add(new Dense(2)), "already built")
            .Invalid("Build with no layers", () => new Sequential().Build(3), "no layers")
            .Null("Build(null)", () => new Sequential(new Dense(2)).Build(null!), "inputShape")
            .Arg("Build with a negative dimension", () => new Sequential(new Dense(2)).Build(-4), "inputShape", "positive", "(-4,)")
            .Arg("Build with no dimensions", () => new Sequential(new Dense(2)).Build(), "inputShape", "()")
            .Arg("Build with another shape than the InputLayer's", () => Mlp(false).Build(5), "Dense", "last dimension 4", "(None, 5)")
            .Invalid("Call before building", () => new Sequential(new Dense(2)).Call(T(2, 3)), "not been built");

        c.Group("Summary")
            .Arg("zero line length", () => Mlp().Summary(lineLength: 0, printFn: _ => { }), "lineLength", "0")
            .Arg("negative line length", () => _ = Mlp().SummaryText(lineLength: -5), "lineLength", "-5")
            .Arg("line length just below the minimum", () => _ = Mlp().SummaryText(lineLength: 39), "lineLength", "at least 40", "39");
        // An unbuilt Sequential model is summarised as Keras does (its layers, output shapes unknown): not a case.
    }

    private static void FunctionalCases(BadInputCases c)
    {
        c.Group("Functional Model")
            .Null("null inputs", () => _ = new Model((KerasTensor)null!, new Input([2])), "inputs")
            .Null("null outputs list", () => _ = new Model([new Input([2])], (IReadOnlyList<KerasTensor>)null!), "outputs")
            .Arg("no inputs", () => _ = new Model([], [new Input([2])]), "at least one input")
            .Arg("no outputs", () => _ = new Model([new Input([2])], []), "one output")
            .Arg("input that is not an Input", () => { var i = new Input([2]); var h = new Dense(3).Call(i); _ = new Model(h, new Dense(1).Call(h)); }, "Input")
            .Arg("outputs not connected to the inputs", () => { var i = new Input([2], "in_a"); var other = new Input([2], "in_b"); _ = new Model(i, new Dense(1).Call(other)); }, "in_b")
            .Arg("the same input twice", () => { var i = new Input([2]); _ = new Model([i, i], [new Dense(1).Call(i)]); }, "input", "twice")
            .Arg("Call with the wrong number of tensors", () => TwoByTwo().Call([T(2, 4)]), "2 input", "1")
            .Invalid("single-tensor Call on a two-input model", () => TwoByTwo().Call(T(2, 4)), "2 input(s)", "list")
            .Arg("layer reused on another shape", () => { var d = new Dense(2, name: "shared"); d.Call(new Input([3])); d.Call(new Input([5])); }, "shared", "(None, 3)", "(None, 5)");
    }

    private static void CompileCases(BadInputCases c)
    {
        c.Group("Compile")
            .Arg("unknown optimizer name", () => Mlp(false).Compile("adamm", "mse"), "adamm", "adam")
            .Arg("unknown loss name", () => Mlp(false).Compile("sgd", "msee"), "msee", "mean_squared_error")
            .Arg("unknown metric name", () => Mlp(false).Compile("sgd", "mse", ["acuracy"]), "acuracy", "accuracy")
            .Null("null metric", () => Mlp(false).Compile("sgd", "mse", [null!]), "metrics")
            .Null("null losses list", () => Mlp(false).Compile("sgd", (IReadOnlyList<Loss>)null!), "losses")
            .Null("null loss in the list", () => Mlp(false).Compile("sgd", [null!]), "losses")
            .Arg("one metric object compiled twice", () => { var mae = new Dendrite.Metrics.MeanAbsoluteError(); Mlp(false).Compile("sgd", "mse", [mae], weightedMetrics: [mae]); }, "mean_absolute_error", "twice")
            .Arg("NaN loss weight", () => TwoByTwo().Compile("sgd", ["mse", "mse"], lossWeights: [1.0, double.NaN]), "lossWeights", "finite")
            .Arg("outputMetrics for the wrong number of outputs", () => TwoByTwo().Compile("sgd", ["mse", "mse"], outputMetrics: [["mae"]]), "outputMetrics", "2 output", "1 list")
            .Arg("three losses for two outputs", () => { var m = TwoByTwo(); m.Compile("sgd", ["mse", "mse", "mse"]); m.Fit([F(4, 4), F(4, 2)], [Labels(0, 1, 2, 0), F(4, 1)], verbose: 0); }, "2 outputs", "3 losses")
            .Arg("three loss weights for two outputs", () => { var m = TwoByTwo(); m.Compile("sgd", ["mse", "mse"], lossWeights: [1, 1, 1]); m.Fit([F(4, 4), F(4, 2)], [F(4, 3), F(4, 1)], verbose: 0); }, "2 outputs", "3 loss weights");
    }

    private static void FitCases(BadInputCases c)
    {
        var x = F(6, 4);
        var y = Labels(0, 1, 2, 0, 1, 2);
        c.Group("Fit")
            .Invalid("not compiled", () => Mlp(false).Fit(x, y, verbose: 0), "Compile", "never compiled")
            .Invalid("compiled without a loss", () => { var m = Mlp(false); m.Compile("sgd"); m.Fit(x, y, verbose: 0); }, "Compile", "no loss")
            .Null("null x", () => Mlp().Fit((NDArray)null!, y, verbose: 0), "x")
            .Null("null y", () => Mlp().Fit(x, (NDArray)null!, verbose: 0), "y")
            .Null("null x array list", () => Mlp().Fit((NDArray[])null!, [y], verbose: 0), "x")
            .Null("null array inside x", () => Mlp().Fit([null!], [y], verbose: 0), "x[0]")
            .Arg("empty x list", () => Mlp().Fit(Array.Empty<NDArray>(), [y], verbose: 0), "x", "no arrays")
            .Arg("0 samples (Keras fails too; we say why)", () => Mlp().Fit(NDArray<float>.Zeros(0, 4), NDArray<int>.Zeros(0), verbose: 0), "x", "empty", "(0, 4)")
            .Arg("x and y sample counts differ", () => Mlp().Fit(x, Labels(0, 1, 2), verbose: 0), "x", "y", "same number of samples", "6", "3")
            .Arg("wrong feature count", () => Mlp().Fit(F(6, 5), y, verbose: 0), "Dense", "4", "(6, 5)")
            .Arg("x without a feature axis", () => Mlp().Fit(new NDArray<float>(new float[6]), y, verbose: 0), "x", "feature axis", "(6,)")
            .Arg("0-d y", () => Mlp().Fit(x, new NDArray<int>([1], 1).Reshape(), verbose: 0), "y", "sample axis", "()")
            .Arg("x with NaN", () => Mlp().Fit(With(x, 5, float.NaN), y, verbose: 0), "x", "NaN", "(6, 4)")
            .Arg("x with +Inf", () => Mlp().Fit(With(x, 0, float.PositiveInfinity), y, verbose: 0), "x", "infinite")
            .Arg("x with -Inf as float64", () => Mlp().Fit(With(x, 1, float.NegativeInfinity).AsType<double>(), y, verbose: 0), "x", "infinite")
            .Arg("label equal to the class count", () => Mlp().Fit(x, Labels(0, 1, 3, 0, 1, 2), verbose: 0), "y: Received a label value of 3", "[0, 2]")
            .Arg("negative label", () => Mlp().Fit(x, Labels(0, -1, 2, 0, 1, 2), verbose: 0), "y: Received a label value of -1")
            .Arg("fractional float labels for a sparse loss", () => Mlp().Fit(x, new NDArray<float>([0, 1.5f, 2, 0, 1, 2]), verbose: 0), "y: Received a label value of 1.5")
            .Arg("NaN label for a sparse loss", () => Mlp().Fit(x, new NDArray<float>([0, float.NaN, 2, 0, 1, 2]), verbose: 0), "y: Received a label value of NaN")
            .Arg("one-hot targets for a sparse loss", () => Mlp().Fit(x, Utils.ToCategorical(y, 3), verbose: 0), "y:", "sparse_categorical_crossentropy", "(6, 3)", "categorical_crossentropy")
            .Arg("sparse labels for a categorical loss", () => { var m = Mlp(false); m.Compile("sgd", "categorical_crossentropy"); m.Fit(x, y, verbose: 0); }, "y:", "categorical_crossentropy", "(6,)", "(6, 3)")
            .Arg("wrong target width for mse", () => { var m = Mlp(false); m.Compile("sgd", "mse"); m.Fit(x, F(6, 2), verbose: 0); }, "y:", "mean_squared_error", "(6, 2)", "(6, 3)")
            .Arg("negative epochs", () => Mlp().Fit(x, y, epochs: -1, verbose: 0), "epochs", "-1")
            .Arg("zero batch size", () => Mlp().Fit(x, y, batchSize: 0, verbose: 0), "batchSize", "0")
            .Arg("negative batch size", () => Mlp().Fit(x, y, batchSize: -32, verbose: 0), "batchSize", "-32")
            .Arg("negative initial epoch", () => Mlp().Fit(x, y, initialEpoch: -1, verbose: 0), "initialEpoch", "-1")
            .Arg("verbose 3", () => Mlp().Fit(x, y, verbose: 3), "verbose", "3")
            .Arg("validation split of 1", () => Mlp().Fit(x, y, validationSplit: 1.0, verbose: 0), "validationSplit", "1")
            .Arg("negative validation split", () => Mlp().Fit(x, y, validationSplit: -0.2, verbose: 0), "validationSplit", "-0.2")
            .Arg("NaN validation split", () => Mlp().Fit(x, y, validationSplit: double.NaN, verbose: 0), "validationSplit", "NaN")
            .Arg("validation split leaving no training sample", () => Mlp().Fit(x, y, validationSplit: 0.9, verbose: 0), "validationSplit", "6 samples", "0 for training")
            .Arg("validation data sample counts differ", () => Mlp().Fit(x, y, validationData: (F(3, 4), Labels(0, 1)), verbose: 0), "validationData.X", "validationData.Y", "3", "2")
            .Arg("validation data with the wrong feature count", () => Mlp().Fit(x, y, validationData: (F(2, 5), Labels(0, 1)), verbose: 0), "Dense", "4", "(2, 5)")
            .Arg("validation data with NaN", () => Mlp().Fit(x, y, validationData: (With(F(2, 4), 0, float.NaN), Labels(0, 1)), verbose: 0), "validationData.X", "NaN")
            .Arg("validation labels out of range", () => Mlp().Fit(x, y, validationData: (F(2, 4), Labels(0, 7)), verbose: 0), "validationData.Y: Received a label value of 7")
            .Arg("empty validation data", () => Mlp().Fit(x, y, validationData: (NDArray<float>.Zeros(0, 4), NDArray<int>.Zeros(0)), verbose: 0), "validationData.X", "empty")
            .Null("null validation X", () => Mlp().Fit(x, y, validationData: new ValidationData(null!, [y]), verbose: 0), "validationData.X")
            .Arg("validation sample weights of the wrong length", () => Mlp().Fit(x, y, validationData: (F(2, 4), Labels(0, 1), new NDArray<float>([1f, 1f, 1f])), verbose: 0), "validationData.SampleWeight", "3", "2")
            .Arg("sample weights of the wrong length", () => Mlp().Fit(x, y, sampleWeight: new NDArray<float>([1f, 2f]), verbose: 0), "sampleWeight", "2", "6")
            .Arg("sample weights with NaN", () => Mlp().Fit(x, y, sampleWeight: new NDArray<float>([1f, 1, 1, float.NaN, 1, 1]), verbose: 0), "sampleWeight", "NaN")
            .Arg("2-D sample weights", () => Mlp().Fit(x, y, sampleWeight: F(6, 2), verbose: 0), "sampleWeight", "(6, 2)")
            .Arg("class weight for a missing class", () => Mlp().Fit(x, y, classWeight: new Dictionary<int, double> { [0] = 1, [1] = 1 }, verbose: 0), "classWeight", "2")
            .Arg("NaN class weight", () => Mlp().Fit(x, y, classWeight: new Dictionary<int, double> { [0] = 1, [1] = double.NaN, [2] = 1 }, verbose: 0), "classWeight", "NaN")
            .Null("null callback in the list", () => Mlp().Fit(x, y, callbacks: [null!], verbose: 0), "callbacks")
            .Arg("one x array for a two-input model", () => TwoByTwo().Fit([F(4, 4)], [Labels(0, 1, 2, 0), F(4, 1)], verbose: 0), "2 input", "1 array")
            .Arg("one y array for a two-output model", () => TwoByTwo().Fit([F(4, 4), F(4, 2)], [Labels(0, 1, 2, 0)], verbose: 0), "2 output", "y", "1 target")
            .Arg("second input with the wrong shape", () => TwoByTwo().Fit([F(4, 4), F(4, 3)], [Labels(0, 1, 2, 0), F(4, 1)], verbose: 0), "Input 1", "'b'", "(None, 2)", "(4, 3)")
            .Arg("second input with fewer samples", () => TwoByTwo().Fit([F(4, 4), F(3, 2)], [Labels(0, 1, 2, 0), F(4, 1)], verbose: 0), "x[0]", "x[1]", "4", "3");
    }

    private static void EvaluatePredictCases(BadInputCases c)
    {
        var x = F(6, 4);
        var y = Labels(0, 1, 2, 0, 1, 2);
        c.Group("Evaluate")
            .Invalid("not compiled", () => Mlp(false).Evaluate(x, y, verbose: 0), "Compile")
            .Invalid("unbuilt model", () => { var m = new Sequential(new Dense(2)); m.Compile("sgd", "mse"); m.Evaluate(x, F(6, 2), verbose: 0); }, "not been built")
            .Null("null x", () => Mlp().Evaluate((NDArray)null!, y, verbose: 0), "x")
            .Arg("0 samples", () => Mlp().Evaluate(NDArray<float>.Zeros(0, 4), NDArray<int>.Zeros(0), verbose: 0), "x", "empty")
            .Arg("sample counts differ", () => Mlp().Evaluate(x, Labels(1, 2), verbose: 0), "x", "y", "6", "2")
            .Arg("wrong feature count", () => Mlp().Evaluate(F(6, 3), y, verbose: 0), "Dense", "4", "(6, 3)")
            .Arg("NaN in x", () => Mlp().Evaluate(With(x, 2, float.NaN), y, verbose: 0), "x", "NaN")
            .Arg("label out of range", () => Mlp().Evaluate(x, Labels(0, 1, 2, 3, 1, 2), verbose: 0), "y: Received a label value of 3")
            .Arg("zero batch size", () => Mlp().Evaluate(x, y, batchSize: 0, verbose: 0), "batchSize", "0")
            .Arg("verbose -1", () => Mlp().Evaluate(x, y, verbose: -1), "verbose", "-1")
            .Arg("sample weights of the wrong length", () => Mlp().Evaluate(x, y, sampleWeight: new NDArray<float>([1f]), verbose: 0), "sampleWeight", "1", "6");

        c.Group("Predict")
            .Invalid("unbuilt model", () => new Sequential(new Dense(2)).Predict(x, verbose: 0), "not been built")
            .Null("null x", () => Mlp().Predict((NDArray)null!, verbose: 0), "x")
            .Null("null x list", () => Mlp().Predict((NDArray[])null!, verbose: 0), "x")
            .Arg("wrong feature count", () => Mlp().Predict(F(2, 7), verbose: 0), "Dense", "4", "(2, 7)")
            .Arg("x without a batch axis", () => Mlp().Predict(new NDArray<float>(new float[4]), verbose: 0), "x", "batch axis", "(4,)")
            .Arg("NaN in x", () => Mlp().Predict(With(x, 0, float.NaN), verbose: 0), "x", "NaN")
            .Arg("+Inf in float64 x", () => Mlp().Predict(With(x, 3, float.PositiveInfinity).AsType<double>(), verbose: 0), "x", "infinite")
            .Arg("zero batch size", () => Mlp().Predict(x, batchSize: 0, verbose: 0), "batchSize", "0")
            .Arg("verbose 9", () => Mlp().Predict(x, verbose: 9), "verbose", "9")
            .Arg("single-array Predict on a two-input model", () => TwoByTwo().Predict(x, verbose: 0), "x", "2 input", "1 array")
            .Arg("three arrays for a two-input model", () => TwoByTwo().Predict([F(2, 4), F(2, 2), F(2, 2)], verbose: 0), "2 input", "3 array")
            .Arg("inputs with different sample counts", () => TwoByTwo().Predict([F(2, 4), F(3, 2)], verbose: 0), "x[0]", "x[1]", "2", "3");
    }

    private static void WeightsAndSavingCases(BadInputCases c)
    {
        c.Group("SetWeights")
            .Null("null list", () => Mlp().SetWeights(null!), "values")
            .Arg("too few arrays", () => Mlp().SetWeights([NDArray<float>.Zeros(4, 8)]), "values", "length 1", "4 weights")
            .Arg("wrong shape", () => { var m = Mlp(); var w = m.GetWeights().ToList(); w[0] = NDArray<float>.Zeros(8, 4); m.SetWeights(w); }, "values", "(4, 8)", "(8, 4)")
            .Null("null array in the list", () => { var m = Mlp(); var w = m.GetWeights().ToList(); w[1] = null!; m.SetWeights(w); }, "values");

        c.Group("Save and Load")
            .Arg("Save with a wrong suffix", () => Mlp().Save(TempPath("model.h5")), "path", ".keras", "model.h5")
            .Null("Save(null)", () => Mlp().Save(null!), "path")
            .Arg("Save to an empty path", () => Mlp().Save(""), "path")
            .Invalid("Save an unbuilt model", () => new Sequential(new Dense(2)).Save(TempPath("m.keras")), "not been built")
            .Add<IOException>("Save without overwrite onto an existing file", () => { string p = TempPath("m.keras"); var m = Mlp(); m.Save(p); m.Save(p, overwrite: false); }, "m.keras", "exists")
            .Add<FileNotFoundException>("Load a missing file", () => Model.Load(TempPath("missing.keras")), "missing.keras")
            .Null("Load(null)", () => Model.Load(null!), "path")
            .Add<ModelFormatException>("Load a file that is not a model", () => { string p = TempPath("junk.keras"); Directory.CreateDirectory(Path.GetDirectoryName(p)!); File.WriteAllText(p, "not a zip"); Model.Load(p); }, "junk.keras")
            .Add<ModelFormatException>("Load an empty file", () => { string p = TempPath("empty.keras"); Directory.CreateDirectory(Path.GetDirectoryName(p)!); File.WriteAllBytes(p, []); Model.Load(p); }, "empty.keras")
            .Arg("SaveWeights with a wrong suffix", () => Mlp().SaveWeights(TempPath("w.h5")), "path", ".weights.h5", "w.h5")
            .Null("SaveWeights(null)", () => Mlp().SaveWeights(null!), "path")
            .Invalid("SaveWeights of an unbuilt model", () => new Sequential(new Dense(2)).SaveWeights(TempPath("w.weights.h5")), "not been built")
            .Add<FileNotFoundException>("LoadWeights from a missing file", () => Mlp().LoadWeights(TempPath("none.weights.h5")), "none.weights.h5")
            .Arg("LoadWeights with a wrong suffix", () => { string p = TempPath("w.txt"); File.WriteAllText(p, "x"); Mlp().LoadWeights(p); }, "path", ".weights.h5", "w.txt")
            .Null("LoadWeights(null)", () => Mlp().LoadWeights(null!), "path")
            .Add<WeightsFileException>("LoadWeights from a garbage file", () => { string p = TempPath("bad.weights.h5"); Directory.CreateDirectory(Path.GetDirectoryName(p)!); File.WriteAllText(p, "garbage"); Mlp().LoadWeights(p); }, "bad.weights.h5")
            .Add<WeightsFileException>("LoadWeights into another architecture", () =>
            {
                string p = TempPath("other.weights.h5");
                Mlp().SaveWeights(p);
                new Sequential(new InputLayer([4]), new Dense(5), new Dense(3)).LoadWeights(p);
            }, "dense", "(4, 5)", "(4, 8)")
            .Invalid("LoadWeights into an unbuilt model", () => { string p = TempPath("u.weights.h5"); Mlp().SaveWeights(p); new Sequential(new Dense(2)).LoadWeights(p); }, "not been built")
            .Arg("Export in an unknown format", () => Mlp().Export(TempPath("m.onnx"), format: "tflite"), "format", "tflite", "onnx")
            .Null("Export(null)", () => Mlp().Export(null!), "path")
            .Invalid("Export an unbuilt model", () => new Sequential(new Dense(2)).Export(TempPath("m.onnx")), "not been built");
    }

    private static void CallbackCases(BadInputCases c)
    {
        var x = F(6, 4);
        var y = Labels(0, 1, 2, 0, 1, 2);
        c.Group("Callbacks")
            .Null("EarlyStopping null monitor", () => _ = new EarlyStopping(monitor: null!), "monitor")
            .Arg("EarlyStopping negative patience", () => _ = new EarlyStopping(patience: -1), "patience", "-1")
            .Arg("EarlyStopping NaN minDelta", () => _ = new EarlyStopping(minDelta: double.NaN), "minDelta", "NaN")
            .Arg("EarlyStopping on a metric that is not logged, with an unknown direction", () => Mlp().Fit(x, y, verbose: 0, callbacks: [new EarlyStopping(monitor: "val_f1")]), "val_f1")
            .Null("ModelCheckpoint null path", () => _ = new ModelCheckpoint(null!), "filepath")
            .Arg("ModelCheckpoint wrong suffix", () => _ = new ModelCheckpoint("ckpt.h5"), "filepath", ".keras", "ckpt.h5")
            .Arg("ModelCheckpoint weights-only wrong suffix", () => _ = new ModelCheckpoint("ckpt.keras", saveWeightsOnly: true), "filepath", ".weights.h5", "ckpt.keras")
            .Add<KeyNotFoundException>("ModelCheckpoint with a placeholder that is not logged (Keras' KeyError, documented)", () => Mlp().Fit(x, y, verbose: 0, callbacks: [new ModelCheckpoint(TempPath("m-{val_f1}.keras"), monitor: "loss")]), "val_f1", "logs")
            .Arg("ReduceLROnPlateau factor of 1", () => _ = new ReduceLROnPlateau(factor: 1.0), "factor", "1")
            .Arg("ReduceLROnPlateau NaN factor", () => _ = new ReduceLROnPlateau(factor: double.NaN), "factor", "NaN")
            .Arg("ReduceLROnPlateau negative factor", () => _ = new ReduceLROnPlateau(factor: -0.5), "factor", "-0.5")
            .Arg("ReduceLROnPlateau negative patience", () => _ = new ReduceLROnPlateau(patience: -1), "patience", "-1")
            .Arg("ReduceLROnPlateau negative cooldown", () => _ = new ReduceLROnPlateau(cooldown: -1), "cooldown", "-1")
            .Arg("ReduceLROnPlateau negative minLr", () => _ = new ReduceLROnPlateau(minLr: -1e-3), "minLr", "-0.001")
            .Null("LearningRateScheduler null schedule", () => _ = new LearningRateScheduler((Func<int, double, double>)null!), "schedule")
            .Null("LearningRateScheduler null one-argument schedule", () => _ = new LearningRateScheduler((Func<int, double>)null!), "schedule")
            .Arg("LearningRateScheduler returning NaN", () => Mlp().Fit(x, y, verbose: 0, callbacks: [new LearningRateScheduler(e => double.NaN)]), "schedule", "NaN", "epoch 0")
            .Arg("LearningRateScheduler returning a negative rate", () => Mlp().Fit(x, y, verbose: 0, callbacks: [new LearningRateScheduler(e => -0.1)]), "schedule", "-0.1")
            .Arg("CSVLogger empty file name", () => _ = new CSVLogger(""), "filename")
            .Null("CSVLogger null file name", () => _ = new CSVLogger(null!), "filename")
            .Arg("CSVLogger two-character separator", () => _ = new CSVLogger("log.csv", separator: ";;"), "separator", ";;")
            .Invalid("TerminateOnNaN(raiseError) on a NaN loss", () =>
            {
                var m = Mlp(false);
                m.Compile(new SGD(1e30f), "mse");
                m.Fit(F(6, 4), F(6, 3), epochs: 3, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true)]);
            }, "NaN or Inf loss", "batch");
    }

    private static void OptimizerCases(BadInputCases c)
    {
        c.Group("Optimizers")
            .Arg("Optimizer.Get unknown", () => Optimizer.Get("adamax9"), "name", "adamax9", "sgd")
            .Null("Optimizer.Get(null)", () => Optimizer.Get(null!), "name")
            .Arg("SGD negative learning rate", () => _ = new SGD(-0.1f), "learning_rate", "-0.1")
            .Arg("SGD NaN learning rate", () => _ = new SGD(float.NaN), "learning_rate", "NaN")
            .Arg("SGD momentum above 1", () => _ = new SGD(momentum: 1.5), "momentum", "1.5")
            .Arg("SGD NaN momentum", () => _ = new SGD(momentum: double.NaN), "momentum", "NaN")
            .Null("SGD null schedule", () => _ = new SGD((LearningRateSchedule)null!), "learningRate")
            .Arg("Adam beta1 of 1", () => _ = new Adam(beta1: 1.0), "beta_1", "1")
            .Arg("Adam negative beta2", () => _ = new Adam(beta2: -0.5), "beta_2", "-0.5")
            .Arg("Adam negative epsilon", () => _ = new Adam(epsilon: -1), "epsilon", "-1")
            .Arg("Adam infinite learning rate", () => _ = new Adam(float.PositiveInfinity), "learning_rate")
            .Arg("AdamW negative weight decay", () => _ = new AdamW(weightDecay: -0.1), "weight_decay", "-0.1")
            .Arg("RMSprop rho of 1", () => _ = new RMSprop(rho: 1.0), "rho", "1")
            .Arg("RMSprop negative momentum", () => _ = new RMSprop(momentum: -0.1), "momentum", "-0.1")
            .Arg("RMSprop NaN epsilon", () => _ = new RMSprop(epsilon: double.NaN), "epsilon", "NaN")
            .Arg("Adagrad negative initial accumulator", () => _ = new Adagrad(initialAccumulatorValue: -1), "initial_accumulator_value", "-1")
            .Arg("Adadelta rho NaN", () => _ = new Adadelta(rho: double.NaN), "rho", "NaN")
            .Arg("Nadam beta1 negative", () => _ = new Nadam(beta1: -0.9), "beta_1", "-0.9")
            .Arg("Clipnorm zero", () => _ = new SGD { Clipnorm = 0 }, "clipnorm", "0")
            .Arg("Clipvalue negative", () => _ = new SGD { Clipvalue = -1 }, "clipvalue", "-1")
            .Arg("GlobalClipnorm NaN", () => _ = new SGD { GlobalClipnorm = double.NaN }, "global_clipnorm", "NaN")
            .Arg("two clipping modes", () => _ = new SGD { Clipnorm = 1, Clipvalue = 1 }, "clipnorm", "clipvalue")
            .Arg("WeightDecay negative", () => _ = new SGD { WeightDecay = -1 }, "weight_decay", "-1")
            .Arg("LearningRate set to NaN", () => new SGD().LearningRate = float.NaN, "learning_rate", "NaN")
            .Invalid("LearningRate set on a scheduled optimizer", () => new SGD(new ExponentialDecay(0.1f, 10, 0.9)).LearningRate = 0.5f, "schedule", "ExponentialDecay")
            .Null("Apply(null)", () => new SGD().Apply(null!), "variables")
            .Invalid("Apply to other variables than it was built for", () =>
            {
                var o = new SGD();
                o.Apply([new Variable("a", new Shape(2), [1, 2])]);
                o.Apply([new Variable("b", new Shape(3), [1, 2, 3])]);
            }, "built for", "'a'", "'b'");
    }

    private static void ScheduleCases(BadInputCases c)
    {
        c.Group("Schedules")
            .Arg("ExponentialDecay zero decay steps", () => _ = new ExponentialDecay(0.1f, 0, 0.9), "decay_steps", "0")
            .Arg("ExponentialDecay negative decay rate", () => _ = new ExponentialDecay(0.1f, 10, -0.5), "decay_rate", "-0.5")
            .Arg("ExponentialDecay NaN initial rate", () => _ = new ExponentialDecay(float.NaN, 10, 0.9), "initial_learning_rate", "NaN")
            .Arg("CosineDecay negative decay steps", () => _ = new CosineDecay(0.1f, -5), "decay_steps", "-5")
            .Arg("CosineDecay alpha above 1", () => _ = new CosineDecay(0.1f, 10, alpha: 2), "alpha", "2")
            .Arg("CosineDecay negative warmup steps", () => _ = new CosineDecay(0.1f, 10, warmupSteps: -1), "warmup_steps", "-1")
            .Arg("CosineDecay NaN warmup target", () => _ = new CosineDecay(0.1f, 10, warmupTarget: float.NaN), "warmup_target", "NaN")
            .Arg("PiecewiseConstantDecay lengths", () => _ = new PiecewiseConstantDecay([10, 20], [1f, 0.5f]), "values", "length 2", "length 2")
            .Arg("PiecewiseConstantDecay not increasing", () => _ = new PiecewiseConstantDecay([20, 10], [1f, 0.5f, 0.1f]), "boundaries", "increasing", "[20, 10]")
            .Null("PiecewiseConstantDecay null boundaries", () => _ = new PiecewiseConstantDecay(null!, [1f]), "boundaries")
            .Arg("PiecewiseConstantDecay NaN value", () => _ = new PiecewiseConstantDecay([10], [1f, float.NaN]), "values", "NaN");
    }

    private static void LossCases(BadInputCases c)
    {
        c.Group("Losses")
            .Arg("Loss.Get unknown", () => Loss.Get("hinge-ish"), "hinge-ish", "mean_squared_error")
            .Null("Loss.Get(null)", () => Loss.Get(null!), "name")
            .Null("Loss.FromFunction(null)", () => Loss.FromFunction(null!), "function")
            .Arg("MSE shape mismatch", () => new Dendrite.Losses.MeanSquaredError().Call(T(4, 3), T(4, 2)), "mean_squared_error", "(4, 3)", "(4, 2)")
            .Arg("MAE shape mismatch", () => new Dendrite.Losses.MeanAbsoluteError().Call(T(4), T(5)), "mean_absolute_error", "(4,)", "(5,)")
            .Arg("Huber shape mismatch", () => new Huber().Call(T(2, 2), T(2, 3)), "huber", "(2, 2)", "(2, 3)")
            .Arg("Huber negative delta", () => _ = new Huber(delta: -1), "delta", "-1")
            .Arg("KLDivergence shape mismatch", () => new KLDivergence().Call(T(2, 3), T(3, 3)), "kl_divergence", "(2, 3)", "(3, 3)")
            .Arg("CategoricalCrossentropy shape mismatch", () => new CategoricalCrossentropy().Call(T(2, 3), T(2, 4)), "categorical_crossentropy", "(2, 3)", "(2, 4)")
            .Arg("CategoricalCrossentropy label smoothing above 1", () => _ = new CategoricalCrossentropy(labelSmoothing: 1.5f), "labelSmoothing", "1.5")
            .Arg("BinaryCrossentropy shape mismatch", () => new BinaryCrossentropy().Call(T(4, 1), T(4, 2)), "binary_crossentropy", "(4, 1)", "(4, 2)")
            .Arg("BinaryCrossentropy negative label smoothing", () => _ = new BinaryCrossentropy(labelSmoothing: -0.1f), "labelSmoothing", "-0.1")
            .Arg("SparseCCE labels out of range", () => new SparseCategoricalCrossentropy().Call(T([0, 3], 2), T(2, 3)), "label value of 3", "[0, 2]")
            .Arg("SparseCCE negative label", () => new SparseCategoricalCrossentropy().Call(T([0, -1], 2), T(2, 3)), "label value of -1")
            .Arg("SparseCCE fractional label", () => new SparseCategoricalCrossentropy().Call(T([0.5f, 1], 2), T(2, 3)), "label value of 0.5")
            .Arg("SparseCCE label batch mismatch", () => new SparseCategoricalCrossentropy().Call(T([0, 1, 2], 3), T(2, 3)), "sparse_categorical_crossentropy", "(3,)", "(2, 3)")
            .Arg("SparseCCE sample weights of the wrong length", () => new SparseCategoricalCrossentropy().Call(T([0, 1], 2), T(2, 3), T([1f, 1, 1], 3)), "sample", "(3,)", "2")
            .Null("MSE null y_true", () => new Dendrite.Losses.MeanSquaredError().Call(null!, T(2)), "yTrue")
            .Null("MSE null y_pred", () => new Dendrite.Losses.MeanSquaredError().Call(T(2), null!), "yPred");
    }

    private static void MetricCases(BadInputCases c)
    {
        static void Update(Metric m, float[] t, int[] ts, float[] p, int[] ps) => m.UpdateState(t, new Shape(ts), p, new Shape(ps));
        c.Group("Metric.UpdateState")
            .Arg("Metric.Get unknown", () => Metric.Get("f1-score"), "f1-score", "accuracy")
            .Null("Metric.Get(null)", () => Metric.Get(null!), "name")
            .Arg("values do not fill the shape", () => Update(new Dendrite.Metrics.MeanSquaredError(), [1, 2], [3], [1, 2, 3], [3]), "mean_squared_error", "y_true holds 2", "(3,)")
            .Arg("MSE shape mismatch", () => Update(new Dendrite.Metrics.MeanSquaredError(), [1, 2, 3], [3], [1, 2], [2]), "mean_squared_error", "(3,)", "(2,)")
            .Arg("SparseCategoricalAccuracy label out of range", () => Update(new SparseCategoricalAccuracy(), [0, 5], [2], [.1f, .9f, .2f, .8f], [2, 2]), "label value of 5", "[0, 1]")
            .Arg("SparseCategoricalAccuracy negative label", () => Update(new SparseCategoricalAccuracy(), [-1, 0], [2], [.1f, .9f, .2f, .8f], [2, 2]), "label value of -1")
            .Arg("SparseCategoricalAccuracy fractional label", () => Update(new SparseCategoricalAccuracy(), [0.5f, 0], [2], [.1f, .9f, .2f, .8f], [2, 2]), "label value of 0.5")
            .Arg("SparseCategoricalAccuracy batch mismatch", () => Update(new SparseCategoricalAccuracy(), [0, 1, 1], [3], [.1f, .9f, .2f, .8f], [2, 2]), "sparse_categorical_accuracy", "(3,)", "(2, 2)")
            .Arg("CategoricalAccuracy shape mismatch", () => Update(new CategoricalAccuracy(), [1, 0, 0, 1], [2, 2], [.1f, .9f, .2f, .8f, 0, 1], [2, 3]), "categorical_accuracy", "(2, 2)", "(2, 3)")
            .Arg("BinaryAccuracy shape mismatch", () => Update(new BinaryAccuracy(), [1, 0], [2], [.1f, .9f, .3f], [3]), "binary_accuracy", "(2,)", "(3,)")
            .Arg("BinaryAccuracy NaN threshold", () => _ = new BinaryAccuracy(threshold: float.NaN), "threshold", "NaN")
            .Arg("Precision threshold above 1", () => _ = new Precision(thresholds: 1.5f), "threshold", "1.5")
            .Arg("Recall negative class id", () => _ = new Recall(classId: -1), "class", "-1")
            .Arg("TopK zero k", () => _ = new TopKCategoricalAccuracy(k: 0), "k", "0")
            .Arg("SparseTopK negative k", () => _ = new SparseTopKCategoricalAccuracy(k: -2), "k", "-2")
            .Arg("AUC one threshold", () => _ = new AUC(numThresholds: 1), "num_thresholds", "1")
            .Arg("AUC unknown curve", () => _ = new AUC(curve: "DET"), "curve", "DET")
            .Arg("AUC unknown summation", () => _ = new AUC(summationMethod: "simpson"), "summation", "simpson")
            .Arg("AUC shape mismatch", () => Update(new AUC(), [1, 0], [2], [.5f], [1]), "auc", "(2,)", "(1,)");
    }

    private static void UtilsCases(BadInputCases c)
    {
        c.Group("Utils")
            .Null("ToCategorical(null)", () => Utils.ToCategorical(null!), "labels")
            .Arg("ToCategorical negative label", () => Utils.ToCategorical(Labels(0, -1, 2)), "labels", "-1")
            .Arg("ToCategorical label equal to numClasses", () => Utils.ToCategorical(Labels(0, 3), 3), "labels", "3", "[0, 2]")
            .Arg("ToCategorical NaN label", () => Utils.ToCategorical(new NDArray<float>([0, float.NaN])), "labels", "NaN")
            .Arg("ToCategorical zero classes", () => Utils.ToCategorical(Labels(0), 0), "numClasses", "0")
            .Arg("ToCategorical no labels and no class count", () => Utils.ToCategorical(NDArray<int>.Zeros(0)), "labels", "numClasses")
            .Null("SplitDataset null x", () => Utils.SplitDataset(null!, Labels(1), 0.5), "x")
            .Null("SplitDataset null y", () => Utils.SplitDataset(F(2, 2), null!, 0.5), "y")
            .Arg("SplitDataset fraction of 0", () => Utils.SplitDataset(F(4, 2), Labels(0, 1, 0, 1), 0.0), "leftSize", "0")
            .Arg("SplitDataset fraction above 1", () => Utils.SplitDataset(F(4, 2), Labels(0, 1, 0, 1), 1.5), "leftSize", "1.5")
            .Arg("SplitDataset NaN fraction", () => Utils.SplitDataset(F(4, 2), Labels(0, 1, 0, 1), double.NaN), "leftSize", "NaN")
            .Arg("SplitDataset count above the sample count", () => Utils.SplitDataset(F(4, 2), Labels(0, 1, 0, 1), 5), "leftSize", "5", "4")
            .Arg("SplitDataset negative count", () => Utils.SplitDataset(F(4, 2), Labels(0, 1, 0, 1), -1), "leftSize", "-1")
            .Arg("SplitDataset sample counts differ", () => Utils.SplitDataset(F(4, 2), Labels(0, 1), 0.5), "x", "y", "4", "2")
            .Arg("SplitDataset empty", () => Utils.SplitDataset(NDArray<float>.Zeros(0, 2), NDArray<int>.Zeros(0), 0.5), "x", "empty")
            .Arg("SplitDataset 0-d x", () => Utils.SplitDataset(F(1).Reshape(), Labels(1), 0.5), "x", "sample axis")
            .Arg("SetRandomSeed negative", () => Utils.SetRandomSeed(-1), "seed", "-1");
    }

    private static void DatasetCases(BadInputCases c)
    {
        c.Group("Datasets")
            .Arg("Mnist path with a NUL character", () => Mnist.LoadData("bad\0path"), "path")
            .Arg("FashionMnist path with a NUL character", () => FashionMnist.LoadData("bad\0path"), "path")
            .Add<DatasetException>("Mnist path that is a file, no download", () =>
            {
                string p = TempPath("a-file");
                Directory.CreateDirectory(Path.GetDirectoryName(p)!);
                File.WriteAllText(p, "x");
                Mnist.LoadData(p, []);
            }, "MNIST", "a-file")
            .Add<DatasetException>("FashionMnist empty directory, no download", () =>
            {
                string p = TempPath("empty");
                Directory.CreateDirectory(p);
                FashionMnist.LoadData(p, []);
            }, "Fashion-MNIST", "train-images-idx3-ubyte", "empty")
            .Add<DatasetException>("Mnist truncated file, no download", () =>
            {
                string p = TempPath("trunc");
                Directory.CreateDirectory(p);
                File.WriteAllBytes(Path.Combine(p, "train-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0]);
                Mnist.LoadData(p, []);
            }, "MNIST", "train-images-idx3-ubyte");
    }

    /// <summary>
    /// Every public method of <see cref="Ops"/> and <see cref="Tensor"/>'s operators with a required (non-nullable)
    /// reference parameter, called with null for all of them and defaults for the rest: an ArgumentNullException.
    /// </summary>
    private static void OpsNullCases(BadInputCases c)
    {
        c.Group("Ops (every method, nulls)");
        var nullability = new System.Reflection.NullabilityInfoContext();
        var methods = typeof(Ops).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Concat(typeof(Tensor).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static).Where(m => m.IsSpecialName));
        foreach (var method in methods.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.ToString(), StringComparer.Ordinal))
        {
            var parameters = method.GetParameters();
            bool Required(System.Reflection.ParameterInfo p) =>
                !p.ParameterType.IsValueType && nullability.Create(p).WriteState != System.Reflection.NullabilityState.Nullable;
            if (!parameters.Any(Required) || method.ContainsGenericParameters || parameters.Any(p => p.ParameterType.IsByRefLike)) continue;
            string signature = $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", parameters.Select(p => p.ParameterType.Name))})";
            var args = parameters.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
            c.Add<ArgumentNullException>(signature + " with nulls", () =>
            {
                try { method.Invoke(null, args); }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            });
        }
    }

    private static void OpsCases(BadInputCases c)
    {
        c.Group("Ops")
            .Null("Relu(null)", () => Ops.Relu(null!), "x")
            .Null("Sigmoid(null)", () => Ops.Sigmoid(null!), "x")
            .Null("Softmax(null)", () => Ops.Softmax(null!), "x")
            .Null("Exp(null)", () => Ops.Exp(null!), "x")
            .Null("Add(null, t)", () => Ops.Add(null!, T(2)), "a")
            .Null("Multiply(t, null)", () => Ops.Multiply(T(2), (Tensor)null!), "b")
            .Null("Sum(null)", () => Ops.Sum(null!, 0), "x")
            .Null("MatMul(null, t)", () => Ops.MatMul(null!, T(2, 2)), "a")
            .Null("Conv2D(null, kernel)", () => Ops.Conv2D(null!, T(3, 3, 1, 1)), "x")
            .Null("Concatenate(null)", () => Ops.Concatenate(null!), "xs")
            .Null("Constant(null)", () => Ops.Constant((NDArray)null!), "array")
            .Arg("Add shapes that do not broadcast", () => Ops.Add(T(2, 3), T(2, 2)), "Add", "(2, 3)", "(2, 2)")
            .Arg("Divide shapes that do not broadcast", () => Ops.Divide(T(4), T(3)), "Divide", "(4,)", "(3,)")
            .Arg("MatMul inner dimensions", () => Ops.MatMul(T(2, 3), T(4, 5)), "MatMul", "(2, 3)", "(4, 5)")
            .Arg("BiasAdd wrong bias length", () => Ops.BiasAdd(T(2, 3), T(4)), "BiasAdd", "(4,)", "3")
            .Arg("Reshape wrong size", () => Ops.Reshape(T(2, 3), 4), "Reshape", "(2, 3)", "(4,)")
            .Arg("Reshape two -1", () => Ops.Reshape(T(2, 3), -1, -1), "Reshape", "-1")
            .Arg("ExpandDims axis out of range", () => Ops.ExpandDims(T(2, 3), 4), "ExpandDims", "axis 4", "rank 2")
            .Arg("Squeeze a non-1 axis", () => Ops.Squeeze(T(2, 3), 1), "Squeeze", "axis 1", "(2, 3)")
            .Arg("Transpose with a repeated axis", () => Ops.Transpose(T(2, 3), 0, 0), "Transpose", "(0, 0)")
            .Arg("Transpose with too few axes", () => Ops.Transpose(T(2, 3, 4), 1, 0), "Transpose", "(1, 0)", "3 axes")
            .Arg("Slice past the end", () => Ops.Slice(T(4, 2), 0, 3, 2), "Slice", "axis 0", "4")
            .Arg("Slice negative length", () => Ops.Slice(T(4, 2), 0, 0, -1), "Slice", "-1")
            .Arg("Slice with too few starts", () => Ops.Slice(T(4, 2), [0], [1, 1]), "Slice", "(4, 2)", "starts (0)", "sizes (1, 1)")
            .Arg("Concatenate different ranks", () => Ops.Concatenate([T(2, 3), T(2)], 0), "Concatenate", "(2, 3)", "(2,)")
            .Arg("Concatenate axis out of range", () => Ops.Concatenate([T(2, 3), T(2, 3)], 2), "Concatenate", "axis 2")
            .Arg("Concatenate nothing", () => Ops.Concatenate([]), "Concatenate", "at least one tensor")
            .Arg("Sum axis out of range", () => Ops.Sum(T(2, 3), 2), "axis 2", "rank 2")
            .Arg("Mean repeated axes", () => Ops.Mean(T(2, 3), [1, 1]), "axis", "1")
            .Arg("Max axis out of range", () => Ops.Max(T(2, 3), -3), "axis -3")
            .Arg("Clip with min above max", () => Ops.Clip(T(3), 1, 0), "Clip", "min", "max")
            .Arg("Clip with NaN bound", () => Ops.Clip(T(3), float.NaN, 1), "Clip", "NaN")
            .Arg("Conv2D rank-3 input", () => Ops.Conv2D(T(5, 5, 1), T(3, 3, 1, 1)), "Conv2D", "(5, 5, 1)")
            .Arg("Conv2D channel mismatch", () => Ops.Conv2D(T(1, 5, 5, 2), T(3, 3, 1, 1)), "Conv2D", "2", "1")
            .Arg("Conv2D kernel larger than the input", () => Ops.Conv2D(T(1, 2, 2, 1), T(3, 3, 1, 1)), "Conv2D", "3×3 window", "input 2×2")
            .Arg("Conv2D zero strides", () => Ops.Conv2D(T(1, 5, 5, 1), T(3, 3, 1, 1), strides: (0, 1)), "strides", "(0, 1)")
            .Arg("MaxPool2D zero pool size", () => Ops.MaxPool2D(T(1, 4, 4, 1), (0, 2)), "pool", "(0, 2)")
            .Arg("AvgPool2D negative strides", () => Ops.AvgPool2D(T(1, 4, 4, 1), (2, 2), (-1, 2)), "strides", "(-1, 2)")
            .Arg("MaxPool2D rank-2 input", () => Ops.MaxPool2D(T(4, 4), (2, 2)), "MaxPool", "(4, 4)")
            .Arg("GlobalAvgPool2D rank-3 input", () => Ops.GlobalAvgPool2D(T(4, 4, 1)), "GlobalAvgPool2D", "(4, 4, 1)")
            .Arg("Constant size mismatch", () => Ops.Constant([1f, 2f, 3f], 2, 2), "Constant", "(2, 2)", "3")
            .Arg("Full negative dimension", () => Ops.Full([2, -1], 0f), ">= 0", "-1")
            .Arg("Tensor values do not fill the shape", () => _ = new Tensor([1f, 2f], 3), "2 elements", "(3,)")
            .Arg("BinaryCrossentropy shape mismatch", () => Ops.BinaryCrossentropy(T(3, 1), T(2, 1)), "binary_crossentropy", "(3, 1)", "(2, 1)")
            .Arg("CategoricalCrossentropy label smoothing NaN", () => Ops.CategoricalCrossentropy(T(2, 3), T(2, 3), labelSmoothing: float.NaN), "labelSmoothing", "NaN")
            .Arg("Huber zero delta", () => Ops.Huber(T(3), T(3), delta: 0), "delta", "0")
            .Arg("Variable values do not fill the shape", () => _ = new Variable("w", new Shape(2, 2), [1f, 2f]), "'w'", "(2, 2)", "2")
            .Arg("Variable.Assign wrong length", () => new Variable("w", new Shape(2), [1f, 2f]).Assign([1f, 2f, 3f]), "'w'", "(2,)", "3")
            .Arg("Backward of a non-scalar", () => { using var tape = GradientTape.Start(); var v = new Variable("v", new Shape(3), [1f, 2f, 3f]); tape.Backward(Ops.Multiply(v.Value, 2f)); }, "Backward", "scalar", "(3,)")
            .Null("Backward(null)", () => { using var tape = GradientTape.Start(); tape.Backward(null!); }, "target");
    }
}
