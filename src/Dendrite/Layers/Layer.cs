using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// The base of every layer, after Keras' <c>Layer</c>: weights are created lazily in <see cref="Build"/> from the
/// shape of the first input, and <see cref="Call"/> computes the output with differentiable <see cref="Ops"/>, so a
/// layer trains without any hand-written backward code.
/// </summary>
/// <remarks>Shapes handed to <see cref="Build"/> and <see cref="ComputeOutputShape"/> are per sample: they leave out the batch axis.</remarks>
public abstract class Layer
{
    private readonly List<Variable> _weights = [];

    /// <summary>Creates a layer; without a name it gets Keras' automatic one (<c>dense</c>, <c>dense_1</c>, …).</summary>
    protected Layer(string? name = null)
    {
        Name = name ?? LayerNames.Unique(LayerNames.SnakeCase(GetType().Name));
    }

    /// <summary>The layer's name, unique among the layers created in this process unless given explicitly.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Build"/> has run and the weights exist.</summary>
    public bool Built { get; private set; }

    /// <summary>The per-sample input shape the layer was built for.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>Every weight, in creation order (Keras' <c>weights</c>).</summary>
    public IReadOnlyList<Variable> Weights => _weights;

    /// <summary>The weights the optimizer updates.</summary>
    public IEnumerable<Variable> TrainableWeights => _weights.Where(w => w.Trainable);

    /// <summary>Total number of weight elements.</summary>
    public long CountParams() => _weights.Sum(w => (long)w.Shape.Size);

    /// <summary>Creates the layer's weights for inputs of per-sample shape <paramref name="inputShape"/>.</summary>
    protected virtual void Build(Shape inputShape) { }

    /// <summary>Computes the output for a batch of inputs.</summary>
    /// <param name="inputs">A batch: the first axis is the batch axis.</param>
    /// <param name="training">True during <c>Fit</c> (layers such as dropout behave differently).</param>
    public abstract Tensor Call(Tensor inputs, bool training = false);

    /// <summary>The per-sample output shape for a per-sample input shape.</summary>
    public virtual Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <summary>Builds the layer once, the first time it sees an input shape (called by models before <see cref="Call"/>).</summary>
    public void EnsureBuilt(Shape inputShape)
    {
        if (Built) return;
        Build(inputShape);
        InputShape = inputShape;
        Built = true;
    }

    /// <summary>Creates a weight; call from <see cref="Build"/>.</summary>
    protected Variable AddWeight(string name, Shape shape, Initializer initializer, bool trainable = true)
    {
        var variable = new Variable(name, shape, initializer.Generate(shape), trainable);
        _weights.Add(variable);
        return variable;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({GetType().Name})";
}

/// <summary>Keras' automatic layer names: the snake-cased class name, then <c>_1</c>, <c>_2</c>, … for later ones.</summary>
internal static class LayerNames
{
    private static readonly Dictionary<string, int> s_counts = [];

    public static string Unique(string prefix)
    {
        lock (s_counts)
        {
            s_counts.TryGetValue(prefix, out int count);
            s_counts[prefix] = count + 1;
            return count == 0 ? prefix : $"{prefix}_{count}";
        }
    }

    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
