namespace Dendrite.Autodiff;

/// <summary>
/// A walk in C order over the elements of a shape, reading two operands through their own strides (0 along an axis
/// an operand is broadcast over). Built once when an op is created, so that Forward and Backward only do arithmetic
/// and never allocate. The walk is cut into <see cref="Runs"/> of <see cref="Length"/> elements along the innermost
/// axis; adjacent axes that are laid out contiguously for both operands are merged first, so two operands of the
/// same shape form one run and element-wise kernels see whole spans.
/// </summary>
internal sealed class StridedLoop
{
    // The axes outside the innermost one, innermost first: for run r, its digits in these dimensions give the offsets.
    private readonly int[] _outerDims;
    private readonly int[] _outerStridesA;
    private readonly int[] _outerStridesB;

    /// <param name="dims">The shape walked; the walk's own flat index is C-order over it.</param>
    /// <param name="stridesA">Operand A's stride along each axis (0 where it is broadcast).</param>
    /// <param name="stridesB">Operand B's stride along each axis.</param>
    public StridedLoop(ReadOnlySpan<int> dims, ReadOnlySpan<int> stridesA, ReadOnlySpan<int> stridesB)
    {
        var merged = new List<(int Dim, int A, int B)>();
        for (int axis = dims.Length - 1; axis >= 0; axis--)
        {
            if (dims[axis] == 1) continue; // a unit axis moves neither operand
            if (merged.Count > 0)
            {
                var (dim, a, b) = merged[^1];
                // Axis `axis` continues the group inside it when stepping it once equals walking the whole group.
                if (stridesA[axis] == a * dim && stridesB[axis] == b * dim)
                {
                    merged[^1] = (dim * dims[axis], a, b);
                    continue;
                }
            }
            merged.Add((dims[axis], stridesA[axis], stridesB[axis]));
        }
        int size = 1;
        foreach (int d in dims) size *= d;
        if (merged.Count == 0) merged.Add((1, 0, 0)); // a single element (or a scalar shape)
        (Length, StrideA, StrideB) = merged[0];
        Runs = size == 0 ? 0 : size / Length;
        _outerDims = merged.Skip(1).Select(g => g.Dim).ToArray();
        _outerStridesA = merged.Skip(1).Select(g => g.A).ToArray();
        _outerStridesB = merged.Skip(1).Select(g => g.B).ToArray();
    }

    /// <summary>Elements per run (the merged innermost axis).</summary>
    public int Length { get; }

    /// <summary>A's step between consecutive elements of a run (0 when A is broadcast along it).</summary>
    public int StrideA { get; }

    /// <summary>B's step between consecutive elements of a run.</summary>
    public int StrideB { get; }

    /// <summary>How many runs cover the shape; run r starts at flat index r · <see cref="Length"/> of the walk.</summary>
    public int Runs { get; }

    /// <summary>Where run <paramref name="run"/> starts in A and in B.</summary>
    public void Offsets(int run, out int a, out int b)
    {
        a = 0;
        b = 0;
        for (int i = 0; i < _outerDims.Length; i++)
        {
            int dim = _outerDims[i];
            int digit = run % dim;
            run /= dim;
            a += digit * _outerStridesA[i];
            b += digit * _outerStridesB[i];
        }
    }

    /// <summary>
    /// The shape two operands broadcast to under NumPy's rules (aligned at the last axis; equal dimensions or 1), or
    /// an exception naming the op and both shapes.
    /// </summary>
    public static Shape BroadcastShapes(string op, Shape a, Shape b) => Broadcasting.TryBroadcastShapes(a, b, out var shape) ? shape
        : throw new ArgumentException($"{op} cannot broadcast shapes {a} and {b}.");

    /// <summary>
    /// The strides that read a C-order tensor of <paramref name="shape"/> as if broadcast to <paramref name="target"/>:
    /// 0 along the axes it lacks or has as 1.
    /// </summary>
    public static int[] BroadcastStrides(Shape shape, Shape target) => Broadcasting.BroadcastStrides(shape, shape.ContiguousStrides(), target);

    /// <summary>A walk over <paramref name="output"/> reading <paramref name="a"/> and <paramref name="b"/> broadcast to it.</summary>
    public static StridedLoop Broadcast(Shape a, Shape b, Shape output) =>
        new(output.AsSpan(), BroadcastStrides(a, output), BroadcastStrides(b, output));
}
