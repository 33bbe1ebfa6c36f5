namespace Dendrite.Tests.Utilities;

/// <summary>Utils.ConfusionMatrix against tf.math.confusion_matrix's documented example and clear errors.</summary>
public sealed class ConfusionMatrixTests
{
    [Fact]
    public void TensorFlowsDocumentedExample()
    {
        // tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]) ==> 5 × 5 with [1,2]=1, [2,2]=1, [4,4]=1.
        var m = Utils.ConfusionMatrix(new NDArray<int>([1, 2, 4], 3), new NDArray<int>([2, 2, 4], 3));
        Assert.Equal(new Shape(5, 5), m.Shape);
        var expected = new int[25];
        expected[1 * 5 + 2] = 1; expected[2 * 5 + 2] = 1; expected[4 * 5 + 4] = 1;
        Assert.Equal(expected, m.AsSpan().ToArray());
    }

    [Fact]
    public void ScoresAreArgMaxedAndRowsSumToTheClassCounts()
    {
        var labels = new NDArray<byte>([0, 1, 1, 2], 4, 1);
        var scores = new NDArray<float>([0.9f, 0.1f, 0f, 0.2f, 0.7f, 0.1f, 0.6f, 0.3f, 0.1f, 0f, 0f, 1f], 4, 3);
        var m = Utils.ConfusionMatrix(labels, scores, numClasses: 4);
        Assert.Equal([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], m.AsSpan().ToArray());
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => Utils.ConfusionMatrix(new NDArray<int>([0, 3], 2), new NDArray<int>([0, 1], 2), numClasses: 3));
        Assert.Contains("the label of sample 1 is 3, outside [0, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Utils.ConfusionMatrix(new NDArray<int>([0, 1, 1], 3), new NDArray<int>([0, 1], 2)));
        Assert.Contains("got 3 labels", e.Message);
        e = Assert.Throws<ArgumentException>(() => Utils.ConfusionMatrix(new NDArray<float>([0.5f], 1), new NDArray<int>([0], 1)));
        Assert.Contains("labels[0] is 0.5", e.Message);
    }
}
