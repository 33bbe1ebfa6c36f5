using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Saving;

namespace Dendrite.Layers;

/// <summary>
/// Runs a recurrent layer over the sequence in both directions and merges the two outputs (Keras' <c>Bidirectional</c>).
/// The wrapper makes its own copies of the given layer: <c>forward_&lt;name&gt;</c>, and, unless
/// a backward layer is given, <c>backward_&lt;name&gt;</c> with <c>goBackwards</c> flipped; the
/// backward output sequence is flipped back to input order before merging, and with <c>returnSequences</c> both
/// layers output zeros at masked steps (Keras forces <c>zero_output_for_mask</c> there). Weights: the forward layer's,
/// then the backward layer's, saved where Keras saves them (<c>layers/bidirectional/forward_layer/cell/vars</c>, …).
/// </summary>
/// <remarks>
/// Merge modes: <c>"concat"</c> (the default: the last axis doubles), <c>"sum"</c>, <c>"mul"</c>, <c>"ave"</c>, or
/// null to return both outputs (then, as with <c>returnState</c>, use <see cref="Layer.CallAll(KerasTensor[])"/>).
/// With <c>returnState</c> the outputs are the merged output(s), then the forward layer's final states, then the
/// backward layer's. Initial states, when given, are the forward layer's followed by the backward layer's.
/// </remarks>
public sealed partial class Bidirectional : Layer
{
    private static readonly string?[] MergeModes = ["concat", "sum", "mul", "ave", null];

    /// <summary>Wraps <paramref name="layer"/> (which the wrapper copies; its own weights are not used).</summary>
    /// <param name="layer">The recurrent layer to run forwards (its config is copied).</param>
    /// <param name="mergeMode"><c>"concat"</c>, <c>"sum"</c>, <c>"mul"</c>, <c>"ave"</c>, or null for both outputs.</param>
    /// <param name="backwardLayer">The layer to run backwards; by default a copy of <paramref name="layer"/> with goBackwards flipped. Taken as is.</param>
    /// <param name="name">The layer's name; automatic (<c>bidirectional</c>, …) when null.</param>
    public Bidirectional(RecurrentLayer layer, string? mergeMode = "concat", RecurrentLayer? backwardLayer = null, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!MergeModes.Contains(mergeMode))
            throw new ArgumentException($"Invalid merge mode. Received: {mergeMode}. Merge mode should be one of {{\"sum\", \"mul\", \"ave\", \"concat\", None}}.", nameof(mergeMode));
        MergeMode = mergeMode;
        ForwardLayer = Copy(layer, "forward_", goBackwards: null);
        BackwardLayer = backwardLayer ?? Copy(layer, "backward_", goBackwards: !layer.GoBackwards);
        if (ForwardLayer.GoBackwards == BackwardLayer.GoBackwards)
            throw new ArgumentException($"Forward layer and backward layer should have different `go_backwards` value. Received: forward_layer.go_backwards {ForwardLayer.GoBackwards}, backward_layer.go_backwards={BackwardLayer.GoBackwards}", nameof(backwardLayer));
        if (ForwardLayer.ReturnSequences != BackwardLayer.ReturnSequences || ForwardLayer.ReturnState != BackwardLayer.ReturnState
            || ForwardLayer.StateCount != BackwardLayer.StateCount || ForwardLayer.Units != BackwardLayer.Units && mergeMode is not ("concat" or null))
            throw new ArgumentException($"Forward layer and backward layer are expected to have the same return_sequences, return_state and (to merge with {mergeMode}) units; got {Describe(ForwardLayer)} and {Describe(BackwardLayer)}.", nameof(backwardLayer));
        // Keras: with sequences returned, masked steps are zeros in both directions, whatever the layers said.
        ForwardLayer.ZeroOutputForMask = ForwardLayer.ReturnSequences;
        BackwardLayer.ZeroOutputForMask = BackwardLayer.ReturnSequences;
        // Keras' saving walk stores them under these attribute names: layers/bidirectional/forward_layer/cell/vars.
        AddSublayer("forward_layer", ForwardLayer);
        AddSublayer("backward_layer", BackwardLayer);
    }

    private static string Describe(RecurrentLayer l) =>
        $"'{l.Name}' (return_sequences {l.ReturnSequences}, return_state {l.ReturnState}, {l.StateCount} state(s), {l.Units} units)";

    /// <summary>A fresh layer from <paramref name="layer"/>'s config, renamed with <paramref name="prefix"/> (Keras' recreation: no weights carry over).</summary>
    private static RecurrentLayer Copy(RecurrentLayer layer, string prefix, bool? goBackwards)
    {
        var serialized = layer.Serialize();
        var config = (JsonObject)serialized["config"]!;
        config["name"] = prefix + (layer.Name.StartsWith(prefix, StringComparison.Ordinal) ? layer.Name[prefix.Length..] : layer.Name);
        if (goBackwards is bool g) config["go_backwards"] = g;
        serialized.Remove("build_config");
        return Deserialize(serialized) as RecurrentLayer
            ?? throw new ArgumentException($"Bidirectional wraps recurrent layers; '{layer.Name}' did not rebuild as one.", nameof(layer));
    }

    /// <summary>The layer run forwards (<c>forward_&lt;name&gt;</c>).</summary>
    public RecurrentLayer ForwardLayer { get; }

    /// <summary>The layer run backwards (<c>backward_&lt;name&gt;</c>, or the one given).</summary>
    public RecurrentLayer BackwardLayer { get; }

    /// <summary>How the two outputs merge: concat, sum, mul, ave, or null (both returned).</summary>
    public string? MergeMode { get; }

    /// <summary>Whether each direction returns its whole output sequence.</summary>
    public bool ReturnSequences => ForwardLayer.ReturnSequences;

    /// <summary>Whether the final states of both directions are returned after the output(s).</summary>
    public bool ReturnState => ForwardLayer.ReturnState;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int OutputCount => (MergeMode is null ? 2 : 1) + (ReturnState ? ForwardLayer.StateCount + BackwardLayer.StateCount : 0);

    internal override string? TrailingInputsKeyword => "initial_state";

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        ForwardLayer.EnsureBuilt(inputShape);
        BackwardLayer.EnsureBuilt(inputShape);
    }

    /// <inheritdoc/>
    protected override void Build(IReadOnlyList<Shape> inputShapes)
    {
        var (forward, backward) = SplitStates(inputShapes);
        ForwardLayer.EnsureBuilt(forward);
        BackwardLayer.EnsureBuilt(backward);
    }

    /// <summary>[sequence, forward states…, backward states…] → each layer's [sequence, its states…].</summary>
    private (T[] Forward, T[] Backward) SplitStates<T>(IReadOnlyList<T> inputs)
    {
        int expected = 1 + ForwardLayer.StateCount + BackwardLayer.StateCount;
        if (inputs.Count != expected)
            throw new ArgumentException($"Bidirectional '{Name}' takes the sequence and {expected - 1} initial states (the forward layer's, then the backward layer's), got {inputs.Count} input(s).");
        return ([inputs[0], .. inputs.Skip(1).Take(ForwardLayer.StateCount)], [inputs[0], .. inputs.Skip(1 + ForwardLayer.StateCount)]);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => ComputeOutputShapes([inputShape])[0];

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) => ComputeOutputShapes(inputShapes)[0];

    /// <inheritdoc/>
    public override Shape[] ComputeOutputShapes(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        var (forwardInputs, backwardInputs) = inputShapes.Count == 1 ? ([inputShapes[0]], [inputShapes[0]]) : SplitStates(inputShapes);
        var forward = ForwardLayer.ComputeOutputShapes(forwardInputs);
        var backward = BackwardLayer.ComputeOutputShapes(backwardInputs);
        var dims = forward[0].ToArray();
        if (MergeMode == "concat") dims[^1] += backward[0][^1];
        Shape[] outputs = MergeMode is null ? [forward[0], backward[0]] : [new Shape(dims)];
        return [.. outputs, .. forward.Skip(1), .. backward.Skip(1)];
    }

    /// <inheritdoc/>
    /// <remarks>The input's mask when sequences are returned, as in Keras.</remarks>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

    /// <inheritdoc/>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        return ReturnSequences ? masks[0] : null;
    }

    /// <summary>The merged output (with merge mode null, which has two, use <see cref="CallAll"/>).</summary>
    public override Tensor Call(Tensor inputs, bool training = false) => Call([inputs], training);

    /// <inheritdoc/>
    public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        if (MergeMode is null)
            throw new InvalidOperationException($"Bidirectional '{Name}' with merge mode None returns both directions' outputs; use CallAll(...).");
        return CallAll(inputs, training)[0];
    }

    /// <inheritdoc/>
    public override Tensor[] CallAll(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (forwardInputs, backwardInputs) = inputs.Count == 1 ? ([inputs[0]], [inputs[0]]) : SplitStates(inputs);
        var (y, forwardStates) = ForwardLayer.Run(inputs[0], forwardInputs.Length > 1 ? forwardInputs[1..] : null, training, ReturnState);
        // Keras flips the backward layer's sequence (in its processing order) back; the op writes it flipped.
        var (yReverse, backwardStates) = BackwardLayer.Run(inputs[0], backwardInputs.Length > 1 ? backwardInputs[1..] : null, training, ReturnState,
            flipOutput: ReturnSequences);
        Tensor[] outputs = MergeMode switch
        {
            "concat" => [Ops.Concatenate([y, yReverse], axis: y.Shape.Rank - 1)],
            "sum" => [Ops.Add(y, yReverse)],
            "mul" => [Ops.Multiply(y, yReverse)],
            "ave" => [Ops.Multiply(Ops.Add(y, yReverse), 0.5f)],
            _ => [y, yReverse],
        };
        if (MergeMode is null && ReturnSequences && inputs[0].Mask is { } mask) outputs[1].Mask = mask;
        return [.. outputs, .. forwardStates, .. backwardStates];
    }
}
