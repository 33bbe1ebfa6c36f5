using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/iou_metrics_test.py: IoUTest, BinaryIoUTest, MeanIoUTest, OneHotIoUTest, OneHotMeanIoUTest (atol 1e-3).</summary>
public class IoUKerasTests
{
    private static readonly (float[] V, Shape S) OneHotTrue = M([0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]);
    private static readonly (float[] V, Shape S) OneHotPred = M([0.2f, 0.3f, 0.5f], [0.1f, 0.2f, 0.7f], [0.5f, 0.3f, 0.1f], [0.1f, 0.4f, 0.5f]);

    [Fact]
    public void IoUTestConfig()
    {
        var iou = new IoU(numClasses: 2, targetClassIds: [1, 0], name: "iou_class_1_0");
        var again = (IoU)RoundTrip(iou);
        Assert.Equal("iou_class_1_0", again.Name);
        Assert.Equal(2, again.NumClasses);
        Assert.Equal([1, 0], again.TargetClassIds);
    }

    [Fact]
    public void IoUTestUnweighted() =>
        Close((1 / (2.0 + 2 - 1) + 1 / (2.0 + 2 - 1)) / 2, Call(new IoU(2, [0, 1]), V(0, 0, 1, 1), V(0, 1, 0, 1)), atol: 1e-3);

    [Fact]
    public void IoUTestWeighted() =>
        Close((0.1 / (0.4 + 0.5 - 0.1) + 0.2 / (0.6 + 0.5 - 0.2)) / 2, Call(new IoU(2, [1, 0]), V(0, 0, 1, 1), V(0, 1, 0, 1), V(0.2f, 0.3f, 0.4f, 0.1f)), atol: 1e-3);

    [Fact]
    public void IoUTestMultiDimInput() =>
        Close((0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, Call(new IoU(2, [0, 1]), M([0, 0], [1, 1]), M([0, 1], [0, 1]), M([0.2f, 0.3f], [0.4f, 0.1f])), atol: 1e-3);

    [Fact]
    public void IoUTestZeroValidEntries() => Close(0, new IoU(2, [0, 1]).Result(), atol: 1e-3);

    [Fact]
    public void IoUTestZeroAndNonZeroEntries() => Close(1.0, Call(new IoU(2, [0, 1]), V(1), V(1)), atol: 1e-3);

    [Fact]
    public void BinaryIoUTestConfig()
    {
        var iou = new BinaryIoU([1, 0], threshold: 0.1f, name: "iou_class_1_0");
        var again = (BinaryIoU)RoundTrip(iou);
        Assert.Equal("iou_class_1_0", again.Name);
        Assert.Equal(0.1f, again.Threshold);
        Assert.Equal([1, 0], again.TargetClassIds);
        Assert.Equal(["target_class_ids", "threshold", "name", "dtype"], iou.GetConfig().Select(kv => kv.Key));
    }

    [Fact]
    public void BinaryIoUTestDifferentThresholdsWeighted()
    {
        Close((0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2,
            Call(new BinaryIoU([0, 1], 0.3f), V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f), V(0.2f, 0.3f, 0.4f, 0.1f)), atol: 1e-3);
        Close((0.5 / (0.5 + 0.7 - 0.5) + 0.3 / (0.5 + 0.3 - 0.3)) / 2,
            Call(new BinaryIoU([0, 1], 0.5f), V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f), V(0.1f, 0.2f, 0.4f, 0.3f)), atol: 1e-3);
    }

    [Fact]
    public void BinaryIoUTestDifferentThresholdsUnweighted()
    {
        Close((1 / (2.0 + 2 - 1) + 1 / (2.0 + 2 - 1)) / 2, Call(new BinaryIoU([0, 1], 0.3f), V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f)), atol: 1e-3);
        Close((2 / (2.0 + 3 - 2) + 1 / (2.0 + 1 - 1)) / 2, Call(new BinaryIoU([0, 1], 0.5f), V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f)), atol: 1e-3);
    }

    [Fact]
    public void BinaryIoUTestMultiDimInput() =>
        Close((0.2 / (0.6 + 0.3 - 0.2) + 0.3 / (0.4 + 0.7 - 0.3)) / 2,
            Call(new BinaryIoU([0, 1], 0.4f), M([0, 1], [0, 1]), M([0.1f, 0.7f], [0.9f, 0.3f]), M([0.2f, 0.3f], [0.4f, 0.1f])), atol: 1e-3);

    [Fact]
    public void BinaryIoUTestZeroValidEntries() => Close(0, new BinaryIoU([0, 1]).Result(), atol: 1e-3);

    [Fact]
    public void BinaryIoUTestZeroAndNonZeroEntries() => Close(1.0, Call(new BinaryIoU([0, 1], 0.5f), V(1), V(0.6f)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestConfig()
    {
        var again = (MeanIoU)RoundTrip(new MeanIoU(numClasses: 2, name: "mean_iou"));
        Assert.Equal("mean_iou", again.Name);
        Assert.Equal(2, again.NumClasses);
        Assert.False(again.GetConfig().ContainsKey("target_class_ids"));
        var full = (MeanIoU)RoundTrip(new MeanIoU(3, ignoreClass: 255, sparseYTrue: false, sparseYPred: false, axis: 1));
        Assert.Equal(255, full.IgnoreClass);
        Assert.False(full.SparseYTrue);
        Assert.False(full.SparseYPred);
        Assert.Equal(1, full.Axis);
    }

    [Fact]
    public void MeanIoUTestUnweighted() => Close((1 / 3.0 + 1 / 3.0) / 2, Call(new MeanIoU(2), V(0, 0, 1, 1), V(0, 1, 0, 1)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestUnweightedIgnoreClass255() =>
        Close((1 / (1.0 + 1 - 1) + 1 / (2.0 + 1 - 1) + 0 / (0.0 + 1 - 0)) / 3, Call(new MeanIoU(3, ignoreClass: 255), V(0, 1, 2, 255), V(0, 1, 1, 1)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestUnweightedIgnoreClass1() =>
        Close((1 / (1.0 + 1 - 1) + 1 / (2.0 + 1 - 1) + 0 / (0.0 + 1 - 0)) / 3, Call(new MeanIoU(3, ignoreClass: -1), V(0, 1, 2, -1), V(0, 1, 1, 1)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestWeighted() =>
        Close((0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, Call(new MeanIoU(2), V(0, 0, 1, 1), V(0, 1, 0, 1), V(0.2f, 0.3f, 0.4f, 0.1f)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestWeightedIgnoreClass1() =>
        Close((0.2 / (0.6 + 0.5 - 0.2) + 0.0 / (0.3 + 0.4 - 0.0)) / 2, Call(new MeanIoU(2, ignoreClass: -1), V(0, 0, 1, -1), V(0, 1, 0, 1), V(0.2f, 0.3f, 0.4f, 0.1f)), atol: 1e-3);

    [Fact]
    public void MeanIoUTestMultiDimInput() =>
        Close((0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2, Call(new MeanIoU(2), M([0, 0], [1, 1]), M([0, 1], [0, 1]), M([0.2f, 0.3f], [0.4f, 0.1f])), atol: 1e-3);

    [Fact]
    public void MeanIoUTestZeroValidEntries() => Close(0, new MeanIoU(2).Result(), atol: 1e-3);

    [Fact]
    public void MeanIoUTestZeroAndNonZeroEntries() => Close(1.0, Call(new MeanIoU(2), V(1), V(1)), atol: 1e-3);

    [Fact]
    public void OneHotIoUTestUnweighted() =>
        Close((0 / (1.0 + 2 - 0) + 1 / (3.0 + 1 - 1)) / 2, Call(new OneHotIoU(3, [0, 2]), OneHotTrue, OneHotPred), atol: 1e-3);

    [Fact]
    public void OneHotIoUTestWeighted() =>
        Close((0 / (0.3 + 0.6 - 0) + 0.1 / (0.7 + 0.1 - 0.1)) / 2, Call(new OneHotIoU(3, [0, 2]), OneHotTrue, OneHotPred, V(0.1f, 0.2f, 0.3f, 0.4f)), atol: 1e-3);

    [Fact]
    public void OneHotMeanIoUTestUnweighted() =>
        Close((0 + 0 + 1 / (3.0 + 1 - 1)) / 3, Call(new OneHotMeanIoU(3), OneHotTrue, OneHotPred), atol: 1e-3);

    [Fact]
    public void OneHotMeanIoUTestWeighted() =>
        Close((0 + 0 + 0.1 / (0.7 + 0.1 - 0.1)) / 3, Call(new OneHotMeanIoU(3), OneHotTrue, OneHotPred, V(0.1f, 0.2f, 0.3f, 0.4f)), atol: 1e-3);

    [Fact]
    public void OneHotConfigsRoundTrip()
    {
        var iou = (OneHotIoU)RoundTrip(new OneHotIoU(3, [0, 2], ignoreClass: 1));
        Assert.Equal([0, 2], iou.TargetClassIds);
        Assert.Equal(1, iou.IgnoreClass);
        Assert.False(iou.GetConfig().ContainsKey("sparse_y_true"));
        var mean = (OneHotMeanIoU)RoundTrip(new OneHotMeanIoU(3, sparseYPred: true));
        Assert.True(mean.SparseYPred);
        Assert.Equal("one_hot_mean_io_u", mean.Name);
    }

    [Fact]
    public void KerasDocstringExamples()
    {
        var iou = new IoU(2, [0]);
        Close(0.33333334, Call(iou, V(0, 0, 1, 1), V(0, 1, 0, 1)));
        iou.ResetState();
        Close(0.33333334, Call(iou, V(0, 0, 1, 1), V(0, 1, 0, 1), V(0.3f, 0.3f, 0.3f, 0.1f)));
        var mean = new MeanIoU(2);
        Update(mean, V(0, 0, 1, 1), V(0, 1, 0, 1), V(0.3f, 0.3f, 0.3f, 0.1f));
        Close(0.23809525, mean.Result());
        var binary = new BinaryIoU([0, 1], 0.3f);
        Close(0.33333334, Call(binary, V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f)));
        binary.ResetState();
        Close(0.17361112, Call(binary, V(0, 1, 0, 1), V(0.1f, 0.2f, 0.4f, 0.7f), V(0.2f, 0.3f, 0.4f, 0.1f)));
    }

    [Fact]
    public void DenseInputsUseTheArgMaxAlongTheAxisAndLabelsAreChecked()
    {
        // Scores of shape (classes, samples) with axis 0 equal the transposed data with axis −1.
        var transposed = new float[12];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 3; c++) transposed[c * 4 + r] = OneHotPred.V[r * 3 + c];
        var byAxis = new MeanIoU(3, sparseYPred: false, axis: 0);
        Update(byAxis, V(2, 0, 1, 0), (transposed, new Shape(3, 4)));
        Close(new OneHotMeanIoU(3).Let(m => Call(m, OneHotTrue, OneHotPred)), byAxis.Result(), atol: 1e-12, rtol: 0);
        var error = Assert.Throws<ArgumentException>(() => Call(new MeanIoU(2), V(0, 2), V(0, 1)));
        Assert.Contains("[0, 2)", error.Message);
        Assert.Contains("Target class id 3", Assert.Throws<ArgumentException>(() => new IoU(3, [0, 3])).Message);
        Assert.Equal(9, new MeanIoU(3).StateLength);
    }
}

internal static class LetExtension
{
    public static TResult Let<T, TResult>(this T value, Func<T, TResult> f) => f(value);
}
