using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite;

/// <summary>
/// The layer graph between a model's symbolic inputs and outputs, in an order where every layer call comes after the
/// calls producing its inputs, and its execution on real tensors (what Keras' <c>Functional</c> does).
/// </summary>
internal sealed class FunctionalGraph
{
    private readonly Node[] _nodes;          // topological order, input nodes first
    private readonly int[][] _inputSlots;    // for each node, the slots (producing nodes) of its inputs
    private readonly int[][] _inputIndices;  // for each node, which output of each producing node it reads
    private readonly int[] _inputNodeSlots;  // the slot of each model input
    private readonly int[] _outputSlots;     // the slot of each model output
    private readonly int[] _outputIndices;   // which output of that slot's call
    private readonly int[] _fusedConvSlot;   // for a MaxPooling2D node run fused with the convolution before it, that convolution's slot; else -1
    private readonly bool[] _runWithItsPooling; // the convolutions those pooling nodes run

    public FunctionalGraph(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string modelName)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0 || outputs.Count == 0) throw new ArgumentException($"Model '{modelName}' needs at least one input and one output.");
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"Model '{modelName}': inputs[{i}] is null.");
        for (int i = 0; i < outputs.Count; i++)
            if (outputs[i] is null) throw new ArgumentNullException(nameof(outputs), $"Model '{modelName}': outputs[{i}] is null.");
        foreach (var input in inputs)
            if (input is not Input) throw new ArgumentException($"Model '{modelName}': every input must be an Input (new Input(shape)); '{input?.Name}' is the output of a layer.", nameof(inputs));
        if (inputs.Distinct().Count() != inputs.Count) throw new ArgumentException($"Model '{modelName}': the same Input is listed twice.", nameof(inputs));

        // Depth-first from the outputs; an Input that is not among the model's inputs disconnects the graph.
        var order = new List<Node>();
        var state = new Dictionary<Node, bool>(); // false: on the stack, true: done
        void Visit(KerasTensor t, Layer? consumer)
        {
            var node = t.Producer ?? throw new ArgumentException($"Model '{modelName}': tensor '{t.Name}' was not produced by a layer call.");
            if (node.Layer is InputLayer && !inputs.Contains(t))
                throw new ArgumentException($"Graph disconnected: cannot obtain value for tensor '{t.Name}' {KerasTensor.Format(t.Shape)} at layer '{consumer?.Name ?? t.Name}'. That Input is not among the model's inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}).");
            if (state.TryGetValue(node, out bool done))
            {
                if (!done) throw new ArgumentException($"Model '{modelName}': the graph has a cycle through layer '{node.Layer.Name}'.");
                return;
            }
            state[node] = false;
            foreach (var input in node.Inputs) Visit(input, node.Layer);
            state[node] = true;
            order.Add(node);
        }
        foreach (var output in outputs) Visit(output ?? throw new ArgumentNullException(nameof(outputs)), null);
        foreach (var input in inputs)
            if (!state.ContainsKey(input.Producer!)) order.Insert(0, input.Producer!); // an unused input still takes data
        // Inputs first, in the order given (Keras lists the InputLayers first), the rest in dependency order.
        var inputNodes = inputs.Select(i => i.Producer!).ToList();
        _nodes = [.. inputNodes, .. order.Where(n => !inputNodes.Contains(n))];

        var slotOf = new Dictionary<Node, int>();
        for (int i = 0; i < _nodes.Length; i++) slotOf[_nodes[i]] = i;
        _inputSlots = [.. _nodes.Select(n => n.Inputs.Select(t => slotOf[t.Producer!]).ToArray())];
        _inputIndices = [.. _nodes.Select(n => n.Inputs.Select(t => t.OutputIndex).ToArray())];
        _inputNodeSlots = [.. inputs.Select(i => slotOf[i.Producer!])];
        _outputSlots = [.. outputs.Select(o => slotOf[o.Producer!])];
        _outputIndices = [.. outputs.Select(o => o.OutputIndex)];
        _fusedConvSlot = FindConvReluPoolPairs();
        _runWithItsPooling = new bool[_nodes.Length];
        foreach (int conv in _fusedConvSlot) if (conv >= 0) _runWithItsPooling[conv] = true;
        Inputs = [.. inputs];
        Outputs = [.. outputs];
        Layers = KerasOrder();
    }

    /// <summary>
    /// The layers in the order Keras 3 lists a functional model's layers (<c>keras/src/ops/function.py</c>,
    /// <c>map_graph</c>): by decreasing depth from the outputs, layers of equal depth in the order a depth-first walk
    /// from the outputs first met them. Model files number their weight groups in this order (<c>dense</c>,
    /// <c>dense_1</c>, …), so a branched model's weights reach the same layers in Keras and in Dendrite.
    /// </summary>
    private List<Layer> KerasOrder()
    {
        // _build_map: nodes in decreasing depth (post-order from the outputs), layers indexed at first visit (pre-order).
        var index = new Dictionary<Layer, int>();
        var finished = new HashSet<Node>();
        var decreasing = new List<Node>();
        var stack = new Stack<(Node Node, int Next)>();
        foreach (var output in Outputs)
        {
            var start = output.Producer!;
            if (finished.Contains(start)) continue;
            index.TryAdd(start.Layer, index.Count);
            stack.Push((start, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Length && node.Layer is not InputLayer)
                {
                    stack.Push((node, next + 1));
                    var parent = node.Inputs[next].Producer!;
                    if (!finished.Contains(parent))
                    {
                        index.TryAdd(parent.Layer, index.Count);
                        stack.Push((parent, 0));
                    }
                    continue;
                }
                if (finished.Add(node)) decreasing.Add(node);
            }
        }
        // map_graph: depths from the outputs (a layer takes the largest depth of its calls), inputs not reached at 0.
        var nodeDepth = new Dictionary<Node, int>();
        var layerDepth = new Dictionary<Layer, int>();
        for (int k = decreasing.Count - 1; k >= 0; k--)
        {
            var node = decreasing[k];
            int depth = Math.Max(nodeDepth.GetValueOrDefault(node), layerDepth.GetValueOrDefault(node.Layer));
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            foreach (var input in node.Inputs)
                nodeDepth[input.Producer!] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(input.Producer!));
        }
        foreach (var input in Inputs)
        {
            var layer = input.Producer!.Layer;
            if (layerDepth.TryAdd(layer, 0)) index[layer] = -1;
        }
        return [.. layerDepth.GroupBy(p => p.Value).OrderByDescending(g => g.Key).SelectMany(g => g.Select(p => p.Key).OrderBy(l => index[l]))];
    }

    /// <summary>
    /// The Conv2D (ReLU) → MaxPooling2D pairs whose convolution output feeds nothing else and is no model output: they
    /// run as one op (<see cref="Conv2D.CallThenMaxPool"/>), which keeps that output in cache. Returns, per node, the
    /// convolution's slot for the pooling node of a pair, else -1.
    /// </summary>
    private int[] FindConvReluPoolPairs()
    {
        var uses = new int[_nodes.Length];
        foreach (var slots in _inputSlots) foreach (int slot in slots) uses[slot]++;
        foreach (int slot in _outputSlots) uses[slot]++;
        var fused = new int[_nodes.Length];
        for (int n = 0; n < _nodes.Length; n++)
        {
            fused[n] = -1;
            if (_nodes[n].Layer is not MaxPooling2D || _inputSlots[n].Length != 1 || _inputIndices[n][0] != 0) continue;
            int convSlot = _inputSlots[n][0];
            if (_nodes[convSlot].Layer is Conv2D { FusesRelu: true } && uses[convSlot] == 1 && _inputSlots[convSlot].Length == 1) fused[n] = convSlot;
        }
        return fused;
    }

    public IReadOnlyList<KerasTensor> Inputs { get; }

    public IReadOnlyList<KerasTensor> Outputs { get; }

    /// <summary>Every layer once, in Keras' order (see <see cref="KerasOrder"/>).</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The layer calls in execution order.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Runs the graph on a batch per input; returns one tensor per output.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count != _inputNodeSlots.Length)
            throw new ArgumentException($"The model takes {_inputNodeSlots.Length} input(s), got {inputs.Count}.");
        var values = new Tensor[_nodes.Length][];
        for (int i = 0; i < _inputNodeSlots.Length; i++) values[_inputNodeSlots[i]] = [inputs[i]];
        for (int n = 0; n < _nodes.Length; n++)
        {
            if (values[n] is not null || _runWithItsPooling[n]) continue; // an input, or a convolution run with its pooling
            var slots = _inputSlots[n];
            var indices = _inputIndices[n];
            var layer = _nodes[n].Layer;
            if (_fusedConvSlot[n] is int conv and >= 0)
            {
                values[n] = [((Conv2D)_nodes[conv].Layer).CallThenMaxPool(values[_inputSlots[conv][0]][_inputIndices[conv][0]], (MaxPooling2D)layer)];
                continue;
            }
            var arguments = new Tensor[slots.Length];
            for (int i = 0; i < slots.Length; i++) arguments[i] = values[slots[i]][indices[i]];
            values[n] = layer.ApplyAll(arguments, training, _nodes[n].Arguments);
        }
        var result = new Tensor[_outputSlots.Length];
        for (int i = 0; i < result.Length; i++) result[i] = values[_outputSlots[i]][_outputIndices[i]];
        return result;
    }
}
