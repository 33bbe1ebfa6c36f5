using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// log(softmax(x)) over the last axis (<c>keras.ops.log_softmax</c>), computed as x − max − log Σ exp(x − max) so
    /// that it neither overflows nor takes the logarithm of an underflowed 0.
    /// </summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Run(new LogSoftmaxOp(x), x.Shape, x.RequiresGrad);
    }

    private sealed class LogSoftmaxOp(Tensor x) : Op
    {
        public override void Forward()
        {
            int n = x.LastDim, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values;
            for (int r = 0; r < rows && n > 0; r++)
            {
                var row = xs.Slice(r * n, n); var y = ys.Slice(r * n, n);
                float max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, y);
                double sum = 0;
                for (int j = 0; j < n; j++) sum += MathF.Exp(y[j]);
                TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
            }
        }

        public override void Backward(int generation)
        {
            // dx = dy − softmax(x) · Σ dy, row by row, with softmax(x) = exp(y).
            int n = x.LastDim, rows = x.Rows;
            var dy = Output.Grad; var y = Output.Values;
            var dx = x.GradForWrite(generation, out bool fresh);
            for (int r = 0; r < rows && n > 0; r++)
            {
                var dyr = dy.Slice(r * n, n); var yr = y.Slice(r * n, n); var dxr = dx.Slice(r * n, n);
                float total = TensorPrimitives.Sum(dyr);
                for (int j = 0; j < n; j++)
                {
                    float g = dyr[j] - MathF.Exp(yr[j]) * total;
                    dxr[j] = fresh ? g : dxr[j] + g;
                }
            }
        }
    }
}
