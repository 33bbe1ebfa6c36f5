namespace Dendrite.Autodiff;

/// <summary>
/// A weight of a layer (Keras' <c>Variable</c>): a named, persistent tensor that the optimizer updates.
/// Its gradient after a backward pass is in <c>Value.Grad</c>.
/// </summary>
public sealed class Variable
{
    /// <summary>Creates a variable of <paramref name="shape"/> holding <paramref name="initialValues"/>.</summary>
    public Variable(string name, Shape shape, float[] initialValues, bool trainable = true)
    {
        if (initialValues.Length != shape.Size)
            throw new ArgumentException($"variable '{name}' of shape {shape} needs {shape.Size} values, got {initialValues.Length}.");
        Name = name;
        Trainable = trainable;
        Value = new Tensor(initialValues, shape, requiresGrad: trainable, borrowed: false);
    }

    /// <summary>The variable's name within its layer (<c>kernel</c>, <c>bias</c>, …).</summary>
    public string Name { get; }

    /// <summary>Whether the optimizer updates it.</summary>
    public bool Trainable { get; }

    /// <summary>
    /// Projected onto after every optimizer update of this variable (Keras' <c>variable.constraint</c>), e.g. a layer's
    /// <c>kernelConstraint</c>; null for none.
    /// </summary>
    public Constraints.Constraint? Constraint { get; set; }

    /// <summary>The tensor holding the current value (and, after a backward pass, its gradient).</summary>
    public Tensor Value { get; }

    /// <summary>The dimensions.</summary>
    public Shape Shape => Value.Shape;

    /// <summary>A copy of the current value.</summary>
    public NDArray<float> ToNDArray() => Value.ToNDArray();

    /// <summary>Overwrites the value with <paramref name="values"/> (same number of elements, C order).</summary>
    public void Assign(ReadOnlySpan<float> values)
    {
        if (values.Length != Value.Size)
            throw new ArgumentException($"variable '{Name}' of shape {Shape} needs {Value.Size} values, got {values.Length}.");
        values.CopyTo(Value.Values);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Variable({Name}, shape={Shape})";
}
