using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Looks up rows of <paramref name="table"/> (input_dim, output_dim) by the integer values of
    /// <paramref name="indices"/> (Keras' <c>take(embeddings, indices, axis=0)</c>): the result has the indices' shape
    /// plus output_dim. The gradient adds each output row into the table row it came from; no gradient flows to the indices.
    /// </summary>
    /// <exception cref="ArgumentException">An index is not a whole number in [0, input_dim): the message gives its position and value.</exception>
    public static Tensor Embedding(Tensor indices, Tensor table)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(table);
        if (table.Shape.Rank != 2) throw new ArgumentException($"Embedding needs a table of shape (input_dim, output_dim), got {table.Shape}.");
        CheckIndices(indices.Values, table.Shape[0]);
        return Run(new EmbeddingOp(indices, table), new Shape([.. indices.Shape.ToArray(), table.Shape[1]]), table.RequiresGrad);
    }

    private static void CheckIndices(ReadOnlySpan<float> indices, int inputDim)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            float v = indices[i];
            if (!(v >= 0 && v < inputDim) || v != MathF.Floor(v))
                throw new ArgumentException(FormattableString.Invariant($"Embedding: input index {v} at flat position {i} is out of range: indices must be whole numbers in [0, {inputDim}) (input_dim {inputDim})."));
        }
    }

    private sealed class EmbeddingOp(Tensor indices, Tensor table) : Op
    {
        private readonly int _dim = table.Shape[1];

        public override void Forward()
        {
            // A replayed step sees new indices: check them again (a wrong index would read another row silently).
            CheckIndices(indices.Values, table.Shape[0]);
            var ids = indices.Values; var t = table.Values; var y = Output.Values;
            for (int i = 0; i < ids.Length; i++) t.Slice((int)ids[i] * _dim, _dim).CopyTo(y.Slice(i * _dim, _dim));
        }

        public override void Backward(int generation)
        {
            var dt = table.GradForAccumulation(generation); var ids = indices.Values; var dy = Output.Grad;
            for (int i = 0; i < ids.Length; i++)
            {
                var row = dt.Slice((int)ids[i] * _dim, _dim);
                TensorPrimitives.Add(row, dy.Slice(i * _dim, _dim), row);
            }
        }
    }
}
