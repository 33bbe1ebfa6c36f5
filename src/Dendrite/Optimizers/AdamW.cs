using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// AdamW as Keras 3 defines it: <see cref="Adam"/> with the base optimizer's decoupled weight decay, applied before
/// the Adam step as <c>w ← w − w·wd·lr</c> (float32, this update's learning rate). Defaults: learning rate 0.001,
/// weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7, no AMSGrad. Variables can be left out of the decay with
/// <see cref="Optimizer.ExcludeFromWeightDecay"/>.
/// </summary>
public sealed partial class AdamW : Adam
{
    /// <summary>Creates AdamW; the argument order and defaults are Keras'.</summary>
    public AdamW(float learningRate = 0.001f, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : base(learningRate, beta1, beta2, epsilon, amsgrad) => WeightDecay = weightDecay;

    /// <summary>Creates AdamW whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public AdamW(LearningRateSchedule learningRate, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : this(0.001f, weightDecay, beta1, beta2, epsilon, amsgrad) => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "adamw";

    /// <inheritdoc/>
    private protected override bool RequiresWeightDecay => true;
}
