using Dendrite.Metrics;

namespace Dendrite.Tests.Metrics;

/// <summary>
/// The running means of loss functions on a masked sequence output: as Keras' <c>MeanMetricWrapper</c> applies the
/// predictions' mask (<c>apply_mask</c>), a padded step counts as a step of weight 0, and a mask multiplies the weights.
/// </summary>
public class LossMetricMaskTests
{
    // Two sequences of two steps of two features; the second step of the first sequence is padding.
    private static readonly float[] Targets = [0.1f, 0.9f, 0.5f, 0.5f, 0.3f, 0.2f, 0.8f, 0.4f];
    private static readonly float[] Predictions = [0.2f, 0.7f, 9f, -9f, 0.1f, 0.6f, 0.5f, 0.5f];
    private static readonly Shape Values = new(2, 2, 2);
    private static readonly float[] Mask = [1, 0, 1, 1];

    [Fact]
    public void A_mask_counts_only_the_real_steps()
    {
        var masked = new MeanSquaredLogarithmicError();
        masked.UpdateState(Targets, Values, Predictions, Values, Mask);
        var weighted = new MeanSquaredLogarithmicError();
        weighted.UpdateState(Targets, Values, Predictions, Values, Mask, new Shape(2, 2));
        Assert.Equal(weighted.Result(), masked.Result(), 12);

        // By hand: the mean of the three real steps' values.
        double Step(int s)
        {
            double sum = 0;
            for (int f = 0; f < 2; f++)
            {
                double d = Math.Log(Math.Max(Predictions[2 * s + f], 1e-7) + 1) - Math.Log(Math.Max(Targets[2 * s + f], 1e-7) + 1);
                sum += d * d;
            }
            return sum / 2;
        }
        Assert.Equal((Step(0) + Step(2) + Step(3)) / 3, masked.Result(), 5);
    }

    [Fact]
    public void A_mask_multiplies_the_sample_weights()
    {
        var both = new Hinge();
        both.UpdateState(Targets, Values, Predictions, Values, [2f, 3f], new Shape(2), Mask);
        var product = new Hinge();
        product.UpdateState(Targets, Values, Predictions, Values, [2f, 0f, 3f, 3f], new Shape(2, 2));
        Assert.Equal(product.Result(), both.Result(), 12);
    }

    [Fact]
    public void A_mask_that_does_not_split_the_steps_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new Poisson().UpdateState(Targets, Values, Predictions, Values, [1f, 0f, 1f]));
        Assert.Contains("mask of 3 entries", e.Message);
    }
}
