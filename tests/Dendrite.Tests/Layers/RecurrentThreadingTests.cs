using Dendrite.Autodiff;
using Dendrite.Kernels;
using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// The recurrent op runs its step loop on every core, over fixed groups of the batch: on batches large enough for
/// several groups (and groups of unequal size), the values match the float64 reference and every output and gradient
/// has the same bits on one thread as on two.
/// </summary>
[Collection(GlobalStateCollection.Name)] // changes Gemm.MaxThreads
public class RecurrentThreadingTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string cell in new[] { "simple", "lstm", "gru", "gru reset before" })
            foreach (int batch in new[] { 70, 131 })
                data.Add(cell, batch);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void ResultsMatchTheReferenceAndDoNotDependOnTheThreadCount(string cell, int batch)
    {
        RecurrentLayer Make() => cell switch
        {
            "simple" => new SimpleRNN(9, returnSequences: true, returnState: true),
            "lstm" => new LSTM(9, returnSequences: true, returnState: true),
            "gru" => new GRU(9, returnSequences: true, returnState: true),
            _ => new GRU(9, resetAfter: false, returnSequences: true, returnState: true),
        };
        const int steps = 6, features = 5;
        var layer = Make();
        layer.EnsureBuilt(new Shape(steps, features));
        for (int i = 0; i < layer.Weights.Count; i++) layer.Weights[i].Assign(TestData.Uniform(10 + i, layer.Weights[i].Shape.Size, -0.5, 0.5));
        var values = TestData.Uniform(3, batch * steps * features, -1, 1);
        var maskValues = Enumerable.Range(0, batch * steps).Select(i => i % 7 == 3 ? 0f : 1f).ToArray();
        var weights = TestData.Uniform(4, batch * steps * 9, -1, 1);

        (float[][] Outputs, float[][] Gradients) Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                var x = TestData.Param((float[])values.Clone(), batch, steps, features);
                x.Mask = new Tensor(maskValues, batch, steps);
                using var tape = GradientTape.Start();
                var outputs = layer.CallAll([x], training: false);
                tape.Backward(TestOps.WeightedSum(outputs[0], weights));
                return ([.. outputs.Select(o => o.Values.ToArray())], [x.Grad.ToArray(), .. layer.Weights.Select(w => w.Value.Grad.ToArray())]);
            }
            finally { Gemm.MaxThreads = saved; }
        }

        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Outputs.Length; i++) LayerTestHarness.AssertBitIdentical(one.Outputs[i], two.Outputs[i], $"{cell} output {i}");
        for (int i = 0; i < one.Gradients.Length; i++) LayerTestHarness.AssertBitIdentical(one.Gradients[i], two.Gradients[i], $"{cell} gradient {i}");

        var mask = maskValues.Select(m => m != 0).ToArray();
        var (expected, finals) = RecurrentReference.Run(RecurrentReference.Cell.Of(layer), values, batch, steps, features,
            layer.Kernel!.Value.Values.ToArray(), layer.RecurrentKernel!.Value.Values.ToArray(), layer.Bias!.Value.Values.ToArray(), mask);
        LayerTestHarness.AssertMatchesReference($"{cell} output", expected, two.Outputs[0], 1e-5);
        LayerTestHarness.AssertMatchesReference($"{cell} final h", finals[0], two.Outputs[1], 1e-5);
    }
}
