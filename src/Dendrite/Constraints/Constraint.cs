using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Constraints;

/// <summary>
/// A projection applied to a variable after every optimizer update (Keras' <c>keras.constraints</c>): the optimizer
/// sets <c>w ← constraint(w)</c> for each variable it updated whose <see cref="Autodiff.Variable.Constraint"/> is set,
/// as Keras' <c>optimizer.apply</c> does. Layers take them as <c>kernelConstraint</c>, <c>biasConstraint</c>, …; a
/// string converts to the constraint of that Keras name with its defaults (<c>"non_neg"</c>).
/// </summary>
public abstract class Constraint
{
    /// <summary>Projects <paramref name="values"/> (a variable of <paramref name="shape"/>, C order) in place.</summary>
    public abstract void Apply(Span<float> values, Shape shape);

    /// <summary>Keras' class name (<c>MaxNorm</c>), as written in configs.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The constructor arguments under Keras' key names (Keras' <c>get_config</c>).</summary>
    public virtual JsonObject GetConfig() => [];

    /// <summary>The object as Keras serializes it: <c>{"module": "keras.constraints", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.constraints", ClassName, GetConfig());

    /// <summary>The Keras names <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["max_norm", "min_max_norm", "non_neg", "unit_norm"];

    /// <summary>The constraint of a Keras name with its defaults (case-insensitive; the class names work too).</summary>
    public static Constraint Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace("_", "").ToLowerInvariant() switch
        {
            "maxnorm" => new MaxNorm(),
            "minmaxnorm" => new MinMaxNorm(),
            "nonneg" => new NonNeg(),
            "unitnorm" => new UnitNorm(),
            _ => throw new ArgumentException($"Could not interpret constraint identifier: '{name}'. Known: {string.Join(", ", KnownNames)}."),
        };
    }

    /// <summary>Lets a Keras name stand for the constraint: <c>kernelConstraint: "non_neg"</c>.</summary>
    public static implicit operator Constraint(string name) => Get(name);

    /// <summary>Keras class name → reader, for every constraint Dendrite has.</summary>
    internal static readonly IReadOnlyDictionary<string, Func<JsonObject, Constraint>> Builtins = new Dictionary<string, Func<JsonObject, Constraint>>(StringComparer.Ordinal)
    {
        ["MaxNorm"] = MaxNorm.FromConfig,
        ["MinMaxNorm"] = MinMaxNorm.FromConfig,
        ["NonNeg"] = NonNeg.FromConfig,
        ["UnitNorm"] = UnitNorm.FromConfig,
    };

    /// <summary>Rebuilds a constraint from its serialized form or Keras name (Keras' <c>keras.constraints.deserialize</c>).</summary>
    /// <exception cref="ModelFormatException">The class or name is unknown, or its config cannot be honoured.</exception>
    public static Constraint Deserialize(JsonNode serialized) => Read(serialized, "a constraint")!;

    /// <summary>A constraint inside a config (null stays null).</summary>
    internal static Constraint? Read(JsonNode? node, string where) =>
        node is null ? null : KerasRegistry.Deserialize(node, "constraint", where, Builtins, Get);

    /// <summary>Keras' <c>axis</c>: an integer or a list of integers, written back in the form it was given.</summary>
    private protected static JsonNode AxisNode(int[] axes) =>
        axes.Length == 1 ? JsonValue.Create(axes[0]) : new JsonArray([.. axes.Select(a => (JsonNode?)JsonValue.Create(a))]);

    /// <summary>Reads <c>axis</c> (an integer or a list), <paramref name="defaultAxis"/> when absent.</summary>
    private protected static int[] ReadAxis(ConfigReader c, int defaultAxis)
    {
        var node = c.Node("axis");
        if (node is null) return [defaultAxis];
        if (ConfigReader.ToLong(node) is long single) return single is >= int.MinValue and <= int.MaxValue ? [(int)single] : throw c.Cannot("axis", "the integer is out of range.");
        var list = c.IntList("axis", node);
        return list.Length > 0 ? list : throw c.Cannot("axis", "at least one axis was expected.");
    }

    /// <summary>Checks a list of axes given by a user.</summary>
    private protected static int[] CheckAxes(int[] axes, string paramName)
    {
        ArgumentNullException.ThrowIfNull(axes, paramName);
        if (axes.Length == 0) throw new ArgumentException("axis needs at least one axis.", paramName);
        if (axes.Distinct().Count() != axes.Length) throw new ArgumentException($"axis lists an axis twice: [{string.Join(", ", axes)}].", paramName);
        return [.. axes];
    }
}
