namespace Dendrite;

/// <summary>
/// What <c>Fit</c> evaluates at the end of every epoch (Keras' <c>validation_data</c>): inputs, targets and,
/// optionally, sample weights that weight the validation loss and the compiled <c>weightedMetrics</c> as
/// <c>sampleWeight</c> weights the training (the compiled <c>metrics</c> stay unweighted, as in Keras 3). Written as a tuple:
/// <c>validationData: (xVal, yVal)</c> or <c>(xVal, yVal, weights)</c>, with arrays per input and output for models
/// with several.
/// </summary>
/// <param name="X">One array per model input, first axis = samples.</param>
/// <param name="Y">One target array per model output.</param>
/// <param name="SampleWeight">One weight per sample, (N,), or per step, (N, steps), for sequence outputs; or null.</param>
public readonly record struct ValidationData(NDArray[] X, NDArray[] Y, NDArray? SampleWeight = null)
{
    /// <summary><c>(x, y)</c> for a single-input, single-output model.</summary>
    public static implicit operator ValidationData((NDArray X, NDArray Y) data) => new([data.X], [data.Y]);

    /// <summary><c>(x, y, sampleWeight)</c> for a single-input, single-output model.</summary>
    public static implicit operator ValidationData((NDArray X, NDArray Y, NDArray SampleWeight) data) => new([data.X], [data.Y], data.SampleWeight);

    /// <summary><c>(inputs, targets)</c>: arrays per input and per output.</summary>
    public static implicit operator ValidationData((NDArray[] X, NDArray[] Y) data) => new(data.X, data.Y);

    /// <summary><c>(inputs, targets, sampleWeight)</c>: arrays per input and per output, one weight per sample.</summary>
    public static implicit operator ValidationData((NDArray[] X, NDArray[] Y, NDArray SampleWeight) data) => new(data.X, data.Y, data.SampleWeight);
}
