using Dendrite.Autodiff;
using Dendrite.Losses;
using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// What a compiled model minimises and reports, resolved against its outputs: one loss per output (a single
/// compiled loss applies to every output, as in Keras), the loss weights, and which output each metric watches.
/// The total loss is Σ weightᵢ·lossᵢ; with one output and weight 1 it is that output's loss itself.
/// </summary>
internal sealed class Objectives
{
    private Objectives(Loss[] losses, double[] weights, int[] metricOutputs, string[] outputNames, bool sampleWeighted, int weightedMetricStart)
    {
        WeightedMetricStart = weightedMetricStart;
        SampleWeighted = sampleWeighted;
        Losses = losses;
        Weights = weights;
        MetricOutputs = metricOutputs;
        OutputNames = outputNames;
    }

    public Loss[] Losses { get; }

    /// <summary>
    /// Whether the batches carry sample weights: the batcher then gathers them as one more target array, after the
    /// real targets, and every output's loss is weighted by them (Keras' <c>sample_weight</c>), and so are the weighted
    /// metrics (Keras' <c>weighted_metrics</c>); the other metrics stay unweighted, as Keras 3's <c>metrics</c> are.
    /// </summary>
    public bool SampleWeighted { get; }

    /// <summary>
    /// Splits a gathered target list into the targets and the sample weights (null without weights). The batcher hands
    /// out the same list for every batch of a size, so the targets' slice is made once per list, not per batch.
    /// </summary>
    public (IReadOnlyList<Tensor> Targets, Tensor? Weights) Split(Tensor[] gathered)
    {
        if (!SampleWeighted) return (gathered, null);
        if (!ReferenceEquals(gathered, _splitFrom)) (_splitFrom, _splitTargets) = (gathered, gathered[..^1]);
        return (_splitTargets!, gathered[^1]);
    }

    private Tensor[]? _splitFrom, _splitTargets;

    /// <summary>The sample weights of a gathered target list (its last array), or null without weights; allocates nothing.</summary>
    public Tensor? WeightsOf(Tensor[] gathered) => SampleWeighted ? gathered[^1] : null;

    public double[] Weights { get; }

    /// <summary>The index of the first weighted metric in the model's metrics (they come after the unweighted ones).</summary>
    public int WeightedMetricStart { get; }

    /// <summary>For each of the model's metrics, the index of the output it watches.</summary>
    public int[] MetricOutputs { get; }

    public string[] OutputNames { get; }

    public int Outputs => Losses.Length;

    /// <summary>Per-output losses are logged (as <c>name_loss</c>) only for models with several outputs, as in Keras.</summary>
    public bool LogsOutputLosses => Outputs > 1;

    public static Objectives For(Model model, bool sampleWeighted = false)
    {
        if (!model.Compiled || model.CompiledLosses.Count == 0)
            throw new InvalidOperationException($"You must call Compile(optimizer, loss, metrics) on model '{model.Name}' before training or evaluating; {(model.Compiled ? "no loss was given" : "it was never compiled")}.");
        int outputs = model.Outputs.Count == 0 ? 1 : model.Outputs.Count;
        var given = model.CompiledLosses;
        Loss[] losses = given.Count == 1 ? [.. Enumerable.Repeat(given[0], outputs)]
            : given.Count == outputs ? [.. given]
            : throw new ArgumentException($"Model '{model.Name}' has {outputs} outputs but was compiled with {given.Count} losses; give one loss for all outputs or one per output.");
        double[] weights = model.LossWeights is { } w
            ? (w.Count == outputs ? [.. w] : throw new ArgumentException($"Model '{model.Name}' has {outputs} outputs but was compiled with {w.Count} loss weights."))
            : [.. Enumerable.Repeat(1.0, outputs)];
        string[] names = model.OutputNames;
        if (outputs > 1 && model.MetricOutputs.Count != model.Metrics.Count)
            throw new ArgumentException($"Model '{model.Name}' has {outputs} outputs: give its metrics per output (Compile(..., outputMetrics: [[\"accuracy\"], [...]]), outputWeightedMetrics: ...), as Keras requires for multi-output models.");
        int[] metricOutputs = outputs == 1 ? new int[model.Metrics.Count] : [.. model.MetricOutputs];
        foreach (int o in metricOutputs)
            if (o >= outputs) throw new ArgumentException($"Model '{model.Name}' has {outputs} outputs; metrics were compiled for output {o}.");
        return new Objectives(losses, weights, metricOutputs, names, sampleWeighted, Math.Min(model.WeightedMetricStart, model.Metrics.Count));
    }

    /// <summary>Checks every target array against its output before any step runs.</summary>
    public void ValidateTargets(IReadOnlyList<NDArray> y, Model model, string argument)
    {
        if (y.Count != Outputs)
            throw new ArgumentException($"Model '{model.Name}' has {Outputs} output(s); {argument} holds {y.Count} target array(s).", argument);
        var shapes = model.OutputShapes;
        for (int i = 0; i < Outputs; i++)
        {
            try
            {
                Losses[i].ValidateTargets(y[i], shapes[i]);
            }
            catch (ArgumentException e) when (e.ParamName is null)
            {
                // The loss knows the shapes and labels but not which argument held them: name it.
                throw new ArgumentException($"{(Outputs == 1 ? argument : $"{argument}[{i}]")}: {e.Message}", argument, e);
            }
        }
    }

    /// <summary>The differentiable total loss; <paramref name="outputLosses"/> receives each output's loss.</summary>
    public Tensor TotalLoss(IReadOnlyList<Tensor> yTrue, IReadOnlyList<Tensor> yPred, Tensor[] outputLosses, Tensor? sampleWeight = null)
    {
        Tensor? total = null;
        for (int i = 0; i < Outputs; i++)
        {
            // A masked output (a sequence behind Embedding(maskZero) or Masking) weighs only its real steps, as Keras' losses do.
            var weights = yPred[i].Mask is { } mask ? Losses[i].MaskWeights(mask, sampleWeight) : sampleWeight;
            var loss = weights is null ? Losses[i].Call(yTrue[i], yPred[i]) : Losses[i].Call(yTrue[i], yPred[i], weights);
            // A loss with reduction "none" gives per-sample values; training takes their sum, the gradient Keras applies
            // on TensorFlow (tape.gradient of a non-scalar loss).
            if (loss.Shape.Rank > 0) loss = Ops.Sum(loss);
            outputLosses[i] = loss;
            var weighted = Weights[i] == 1.0 ? loss : Ops.Multiply(loss, (float)Weights[i]);
            total = total is null ? weighted : Ops.Add(total, weighted);
        }
        return total!;
    }

    /// <summary>
    /// Adds a batch to every metric, each seeing its own output; the weighted metrics also receive the batch's sample
    /// weights (the same for every output, as Keras repeats them), when there are any. A mask on an output reaches its
    /// metrics too, multiplied into the weights by the mean metrics (Keras' <c>apply_mask</c>).
    /// </summary>
    /// <param name="metrics">The model's metrics.</param>
    /// <param name="yTrue">The batch's targets, possibly followed by the sample weights (as gathered).</param>
    /// <param name="yPred">The model's outputs.</param>
    /// <param name="sampleWeight">The batch's sample weights (see <see cref="Split"/>), or null.</param>
    public void UpdateMetrics(IReadOnlyList<Metric> metrics, IReadOnlyList<Tensor> yTrue, IReadOnlyList<Tensor> yPred, Tensor? sampleWeight = null)
    {
        for (int i = 0; i < metrics.Count; i++)
        {
            int o = MetricOutputs[i];
            var (t, p) = (yTrue[o], yPred[o]);
            var mask = p.Mask is { } m ? m.Values : default;
            if (sampleWeight is not null && i >= WeightedMetricStart)
                metrics[i].UpdateState(t.Values, t.Shape, p.Values, p.Shape, sampleWeight.Values, sampleWeight.Shape, mask);
            else if (p.Mask is not null) metrics[i].UpdateState(t.Values, t.Shape, p.Values, p.Shape, mask);
            else metrics[i].UpdateState(t.Values, t.Shape, p.Values, p.Shape);
        }
    }
}
