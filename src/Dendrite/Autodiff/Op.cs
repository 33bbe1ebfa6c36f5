namespace Dendrite.Autodiff;

/// <summary>
/// One operation of the graph: <see cref="Forward"/> computes <see cref="Output"/> from its inputs, and
/// <see cref="Backward"/> pushes <c>Output.Grad</c> back into the gradients of the inputs that require them.
/// Forward can run again on new input values (a training step is recorded once and replayed, like a traced
/// <c>tf.function</c>), so it must depend only on its inputs' values and never allocate.
/// </summary>
internal abstract class Op
{
    public Tensor Output = null!;

    /// <summary>Computes <see cref="Output"/>'s values from the inputs' current values.</summary>
    public abstract void Forward();

    /// <summary>Adds this op's contribution to its inputs' gradients; <paramref name="generation"/> identifies the pass.</summary>
    public abstract void Backward(int generation);
}
