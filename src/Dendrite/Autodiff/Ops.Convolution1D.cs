namespace Dendrite.Autodiff;

// The 1-D convolution and pooling ops over (batch, steps, channels) sequences. Each runs the 2-D op on the sequence
// seen as an image of height 1: the values are laid out the same, so nothing is copied, and the 2-D kernels (im2col +
// GEMM, the direct shallow path, the vectorised max pooling) serve both.

public static partial class Ops
{
    /// <summary>
    /// 1-D convolution of channels-last sequences (Keras' <c>conv</c> with one spatial axis): <paramref name="x"/> is
    /// (batch, steps, channels), <paramref name="kernel"/> (kernelSize, channels, filters), the optional
    /// <paramref name="bias"/> (filters,); the result is (batch, outSteps, filters).
    /// </summary>
    /// <param name="x">The sequences.</param>
    /// <param name="kernel">The (kernelSize, channels, filters) kernel, as Keras' <c>Conv1D</c> stores it.</param>
    /// <param name="bias">Added to every output step; none when null.</param>
    /// <param name="strides">Step between windows.</param>
    /// <param name="padding">"valid": outSteps = floor((steps − dilation·(kernelSize − 1) − 1) / strides) + 1; "same":
    /// ceil(steps / strides), padded as TensorFlow pads; "causal": dilation·(kernelSize − 1) zeros before the first step
    /// and none after, ceil(steps / strides) outputs, output t seeing inputs up to t only.</param>
    /// <param name="dilation">Spacing between kernel taps; cannot be combined with strides &gt; 1 (as in Keras).</param>
    public static Tensor Conv1D(Tensor x, Tensor kernel, Tensor? bias = null, int strides = 1, Padding padding = Padding.Valid, int dilation = 1) =>
        Conv1D(x, kernel, bias, strides, padding, dilation, relu: false);

    internal static Tensor Conv1D(Tensor x, Tensor kernel, Tensor? bias, int strides, Padding padding, int dilation, bool relu)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"Conv1D expects inputs of rank 3 (batch, steps, channels), got shape {x.Shape}.");
        if (kernel.Shape.Rank != 3)
            throw new ArgumentException($"Conv1D expects a kernel of rank 3 (kernel_size, in_channels, filters), got shape {kernel.Shape}.");
        if (kernel.Shape[1] != x.Shape[2])
            throw new ArgumentException($"Conv1D: the kernel {kernel.Shape} expects {kernel.Shape[1]} input channels, the input {x.Shape} has {x.Shape[2]}.");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Size != kernel.Shape[2]))
            throw new ArgumentException($"Conv1D needs a bias of shape ({kernel.Shape[2]},), got {bias.Shape}.");
        if (strides < 1 || dilation < 1)
            throw new ArgumentException($"Conv1D: strides and dilation must be positive, got strides {strides} and dilation {dilation}.");
        if (strides > 1 && dilation > 1)
            throw new ArgumentException($"Conv1D: strides > 1 are not supported together with dilation > 1 (as in Keras), got strides {strides} and dilation {dilation}.");
        var g = SequenceGeometry(x, kernel.Shape[0], strides, dilation, padding, "Conv1D", "kernel");
        // A one-tap kernel with stride 1 (causal padding is then none) is a product over the channels: no patches.
        if (g.WindowSize == 1 && strides == 1) return Dense(x, kernel, bias, relu);
        return Conv2D(x, kernel, bias, g, relu, pool: null, new Shape(g.Batch, g.OutWidth, kernel.Shape[2]));
    }

    /// <summary>
    /// Max pooling over channels-last sequences (Keras' <c>max_pool</c> with one spatial axis): (batch, steps, channels)
    /// → (batch, outSteps, channels). With "same" padding the padded positions never win; the gradient goes to the
    /// first maximum of each window.
    /// </summary>
    public static Tensor MaxPool1D(Tensor x, int poolSize, int? strides = null, Padding padding = Padding.Valid) =>
        Pool1D(x, poolSize, strides ?? poolSize, padding, max: true);

    /// <summary>
    /// Average pooling over channels-last sequences (Keras' <c>average_pool</c> with one spatial axis). With "same"
    /// padding, a window that overhangs the end averages only the steps it covers, as TensorFlow does.
    /// </summary>
    public static Tensor AvgPool1D(Tensor x, int poolSize, int? strides = null, Padding padding = Padding.Valid) =>
        Pool1D(x, poolSize, strides ?? poolSize, padding, max: false);

    private static Tensor Pool1D(Tensor x, int pool, int strides, Padding padding, bool max)
    {
        ArgumentNullException.ThrowIfNull(x);
        string who = max ? "MaxPool1D" : "AvgPool1D";
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"{who} expects inputs of rank 3 (batch, steps, channels), got shape {x.Shape}.");
        if (pool < 1 || strides < 1)
            throw new ArgumentException($"{who}: pool size and strides must be positive, got pool {pool} and strides {strides}.");
        if (padding == Padding.Causal) throw new ArgumentException($"{who}: padding must be \"valid\" or \"same\", got \"causal\".");
        var g = SequenceGeometry(x, pool, strides, 1, padding, who, "pool");
        return Pool(x, g, max, new Shape(g.Batch, g.OutWidth, g.Channels));
    }

    /// <summary>
    /// The geometry of a window sliding along the steps of (batch, steps, channels): an image of height 1 and width
    /// steps. Throws, naming the 1-D sizes, when no window fits.
    /// </summary>
    private static ConvGeometry SequenceGeometry(Tensor x, int window, int strides, int dilation, Padding padding, string who, string what)
    {
        var (outSteps, _) = ConvGeometry.Axis(x.Shape[1], window, strides, dilation, padding);
        if (outSteps <= 0)
            throw new ArgumentException($"{who}: a {what} window of {window} (dilation {dilation}) does not fit {x.Shape[1]} steps with padding \"{PaddingNames.Name(padding)}\" (the output would have {outSteps} steps).");
        return ConvGeometry.Create(x.Shape[0], 1, x.Shape[1], x.Shape[2], (1, window), (1, strides), (1, dilation), padding, who);
    }

    /// <summary>
    /// The mean over the steps of (batch, steps, channels) (Keras' <c>GlobalAveragePooling1D</c>): (batch, channels),
    /// or (batch, 1, channels) with <paramref name="keepDims"/>. With a <paramref name="mask"/> (batch, steps) of 0/1,
    /// the mean of the steps whose mask is 1 only, as Keras computes it (Σ masked steps / Σ mask: a sample with no real
    /// step gives 0/0, NaN, there too); the padded steps get no gradient.
    /// </summary>
    public static Tensor GlobalAvgPool1D(Tensor x, Tensor? mask = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"GlobalAvgPool1D expects inputs of rank 3 (batch, steps, channels), got shape {x.Shape}.");
        if (mask is not null && (mask.Shape.Rank != 2 || mask.Shape[0] != x.Shape[0] || mask.Shape[1] != x.Shape[1]))
            throw new ArgumentException($"GlobalAvgPool1D: a mask of shape {mask.Shape} does not fit inputs of shape {x.Shape}: expected ({x.Shape[0]}, {x.Shape[1]}).");
        var shape = keepDims ? new Shape(x.Shape[0], 1, x.Shape[2]) : new Shape(x.Shape[0], x.Shape[2]);
        return Run(new GlobalAvgPool1DOp(x, mask), shape, x.RequiresGrad);
    }

    /// <summary>Per sample: the sum of its real steps, times 1 / their count (all steps when there is no mask).</summary>
    private sealed class GlobalAvgPool1DOp(Tensor x, Tensor? mask) : Op
    {
        private readonly int _steps = x.Shape[1], _c = x.Shape[2];

        private bool Real(int n, int t) => mask is null || mask.Values[n * _steps + t] != 0;

        private int Count(int n)
        {
            if (mask is null) return _steps;
            int count = 0;
            for (int t = 0; t < _steps; t++) if (Real(n, t)) count++;
            return count;
        }

        public override void Forward()
        {
            var xs = x.Values; var ys = Output.Values;
            ys.Clear();
            for (int n = 0; n < x.Shape[0]; n++)
            {
                var y = ys.Slice(n * _c, _c);
                for (int t = 0; t < _steps; t++)
                    if (Real(n, t)) System.Numerics.Tensors.TensorPrimitives.Add(y, xs.Slice((n * _steps + t) * _c, _c), y);
                System.Numerics.Tensors.TensorPrimitives.Divide(y, Count(n), y);
            }
        }

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh); var dy = Output.Grad;
            for (int n = 0; n < x.Shape[0]; n++)
            {
                float scale = 1f / Count(n);
                var g = dy.Slice(n * _c, _c);
                for (int t = 0; t < _steps; t++)
                {
                    var d = dx.Slice((n * _steps + t) * _c, _c);
                    if (Real(n, t))
                    {
                        if (fresh) System.Numerics.Tensors.TensorPrimitives.Multiply(g, scale, d);
                        else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, scale, d, d);
                    }
                    else if (fresh) d.Clear();
                }
            }
        }
    }

    /// <summary>
    /// Repeats every element <paramref name="repeats"/> times along <paramref name="axis"/>, each copy next to its
    /// original (<c>keras.ops.repeat</c> with an integer count): [a, b] → [a, a, b, b]. The gradient of an element is
    /// the sum of its copies'.
    /// </summary>
    public static Tensor Repeat(Tensor x, int repeats, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank, a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"Repeat axis {axis} is out of bounds for a tensor of rank {rank} and shape {x.Shape}.");
        if (repeats < 1) throw new ArgumentException($"Repeat needs a positive number of repeats, got {repeats}.");
        var dims = x.Shape.ToArray();
        if ((long)dims[a] * repeats > int.MaxValue) throw new ArgumentException($"Repeat: {dims[a]} × {repeats} along axis {a} is too long.");
        dims[a] *= repeats;
        int inner = 1;
        for (int i = a + 1; i < rank; i++) inner *= x.Shape[i];
        return Run(new RepeatOp(x, repeats, inner), new Shape(dims), x.RequiresGrad);
    }

    /// <summary>x seen as rows of <c>inner</c> values: each row copied <c>repeats</c> times in a row.</summary>
    private sealed class RepeatOp(Tensor x, int repeats, int inner) : Op
    {
        public override void Forward()
        {
            var xs = x.Values; var ys = Output.Values;
            if (inner == 0) return;
            for (int r = 0, rows = xs.Length / inner; r < rows; r++)
            {
                var row = xs.Slice(r * inner, inner);
                for (int k = 0; k < repeats; k++) row.CopyTo(ys.Slice((r * repeats + k) * inner, inner));
            }
        }

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh); var dy = Output.Grad;
            if (inner == 0) return;
            for (int r = 0, rows = dx.Length / inner; r < rows; r++)
            {
                var d = dx.Slice(r * inner, inner);
                for (int k = 0; k < repeats; k++)
                {
                    var g = dy.Slice((r * repeats + k) * inner, inner);
                    if (k == 0 && fresh) g.CopyTo(d);
                    else System.Numerics.Tensors.TensorPrimitives.Add(d, g, d);
                }
            }
        }
    }
}
