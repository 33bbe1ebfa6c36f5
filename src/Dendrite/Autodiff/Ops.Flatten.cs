namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// (batch, d1, d2, …) → (batch, d1·d2·…), as Keras' <c>Flatten</c> with channels-last data. The result shares
    /// <paramref name="x"/>'s values (C order makes it the same memory); only the gradient is copied back.
    /// </summary>
    public static Tensor Flatten(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank < 1) throw new ArgumentException($"Flatten needs a batch axis, got a scalar of shape {x.Shape}.");
        int batch = x.Shape[0];
        var shape = new Shape(batch, batch == 0 ? 0 : x.Size / batch);
        var op = new FlattenOp(x);
        op.Output = new Tensor(x.Buffer, shape, GradientTape.OutputRequiresGrad(x.RequiresGrad), x.Borrowed);
        if (GradientTape.ShouldRecord(x.RequiresGrad)) GradientTape.Record(op);
        return op.Output;
    }

    private sealed class FlattenOp(Tensor x) : Op
    {
        // The output is a view of x's buffer: nothing to recompute.
        public override void Forward() { }

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh);
            if (fresh) Output.Grad.CopyTo(dx);
            else System.Numerics.Tensors.TensorPrimitives.Add(dx, Output.Grad, dx);
        }
    }
}
