using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Errors name the op, the shapes and the axis.</summary>
public class OpErrorTests
{
    private static Tensor Zeros(params int[] shape) => Const(new float[Ref.SizeOf(shape)], shape);

    private static void Throws(string message, Func<Tensor> op) => Assert.Equal(message, Assert.Throws<ArgumentException>(() => op()).Message);

    [Fact]
    public void ElementwiseOpsNameTheShapesThatDoNotBroadcast()
    {
        Throws("Add cannot broadcast shapes (3, 4) and (5,).", () => Ops.Add(Zeros(3, 4), Zeros(5)));
        Throws("Subtract cannot broadcast shapes (2, 3) and (3, 2).", () => Zeros(2, 3) - Zeros(3, 2));
        Throws("Multiply cannot broadcast shapes (4, 2, 3) and (3, 1).", () => Zeros(4, 2, 3) * Zeros(3, 1));
        Throws("Divide cannot broadcast shapes (7,) and (6,).", () => Zeros(7) / Zeros(6));
        Throws("Maximum cannot broadcast shapes (2,) and (3,).", () => Ops.Maximum(Zeros(2), Zeros(3)));
        Throws("Minimum cannot broadcast shapes (0,) and (2,).", () => Ops.Minimum(Zeros(0), Zeros(2)));
        Throws("Clip needs min <= max, got min=1 and max=0 for a tensor of shape (2,).", () => Ops.Clip(Zeros(2), 1f, 0f));
    }

    [Fact]
    public void ReductionsNameTheAxis()
    {
        Throws("Sum axis 2 is out of bounds for a tensor of rank 2 and shape (3, 4).", () => Ops.Sum(Zeros(3, 4), 2));
        Throws("Mean axis -3 is out of bounds for a tensor of rank 2 and shape (3, 4).", () => Ops.Mean(Zeros(3, 4), [0, -3]));
        Throws("Max got axis 1 twice (as -1) for shape (3, 4).", () => Ops.Max(Zeros(3, 4), [1, -1]));
        Throws("Min cannot reduce axis 1 of shape (3, 0): it is empty, and a min of nothing has no value.", () => Ops.Min(Zeros(3, 0)));
    }

    [Fact]
    public void ShapeOpsNameShapesAndAxes()
    {
        Throws("Reshape cannot reshape a tensor of shape (2, 3) (6 elements) into (4, -1).", () => Ops.Reshape(Zeros(2, 3), 4, -1));
        Throws("Reshape cannot reshape a tensor of shape (2, 3) (6 elements) into (-1, -1): only one dimension can be -1.", () => Ops.Reshape(Zeros(2, 3), -1, -1));
        Throws("Reshape cannot reshape a tensor of shape (2, 3) (6 elements) into (7,).", () => Ops.Reshape(Zeros(2, 3), 7));
        Throws("ExpandDims axis 3 is out of bounds for a tensor of rank 2 and shape (2, 3) (the result has rank 3).", () => Ops.ExpandDims(Zeros(2, 3), 3));
        Throws("Squeeze cannot remove axis 1 of shape (2, 3): its length is 3, not 1.", () => Ops.Squeeze(Zeros(2, 3), 1));
        Throws("Transpose axes (0, 0) are not a permutation of the 2 axes of shape (2, 3).", () => Ops.Transpose(Zeros(2, 3), 0, 0));
        Throws("Slice of axis 1 (length 5) of shape (3, 5): start 4 with length 3 does not fit.", () => Ops.Slice(Zeros(3, 5), 1, 4, 3));
        Throws("Slice axis 2 is out of bounds for a tensor of rank 2 and shape (3, 5).", () => Ops.Slice(Zeros(3, 5), 2, 0..1));
        Throws("Slice of axis 0 (length 3) of shape (3, 5): start 2 with size 2 does not fit.", () => Ops.Slice(Zeros(3, 5), [2, 0], [2, 5]));
        Throws("Concatenate along axis 1 needs the same shape outside that axis: got (2, 3) and (3, 3).", () => Ops.Concatenate([Zeros(2, 3), Zeros(3, 3)], 1));
        Throws("Concatenate axis 2 is out of bounds for tensors of rank 2 (first shape (2, 3)).", () => Ops.Concatenate([Zeros(2, 3)], 2));
    }

    [Fact]
    public void MatMulNamesBothShapes()
    {
        Throws("MatMul shapes do not align: (2, 3, 4) · (2, 5, 6) (contracting dimensions 4 and 5).", () => Ops.MatMul(Zeros(2, 3, 4), Zeros(2, 5, 6)));
        Throws("MatMul cannot broadcast the batch dimensions (2,) and (3,) of shapes (2, 3, 4) and (3, 4, 5).", () => Ops.MatMul(Zeros(2, 3, 4), Zeros(3, 4, 5)));
        Throws("MatMul shapes do not align: (3, 4) · (5, 6) (last dimension 4 vs 5).", () => Ops.MatMul(Zeros(3, 4), Zeros(5, 6)));
    }

    [Fact]
    public void ConstantsCheckTheirValues()
    {
        Throws("Constant needs 6 values for shape (2, 3), got 5.", () => Ops.Constant(new float[5], 2, 3));
    }
}
