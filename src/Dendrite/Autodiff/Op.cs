namespace Dendrite.Autodiff;

/// <summary>
/// One recorded operation: it computed <see cref="Output"/> from its inputs in the forward pass, and
/// <see cref="Backward"/> pushes <c>Output.Grad</c> back into the gradients of the inputs that require them.
/// Every op accumulates (+=) into input gradients.
/// </summary>
internal abstract class Op
{
    public Tensor Output = null!;

    /// <summary>Adds this op's contribution to its inputs' gradients; <paramref name="generation"/> identifies the pass.</summary>
    public abstract void Backward(int generation);
}
