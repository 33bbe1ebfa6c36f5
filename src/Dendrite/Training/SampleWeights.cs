namespace Dendrite.Training;

/// <summary>
/// Keras' <c>sample_weight</c> and <c>class_weight</c> arguments of <c>fit</c>, turned into float32 weights: one per
/// sample, or one per step for sequence outputs. A class weight gives every sample the weight of its class: the integer label for sparse targets ((N,) or
/// (N, 1)), the argmax of the row for one-hot targets.
/// </summary>
internal static class SampleWeights
{
    /// <summary>
    /// The weights to gather with the targets, or null when neither argument is given: one per sample, (N,), or, for
    /// models whose every output is a sequence (N, steps, …), one per step, (N, steps), as Keras accepts a rank-2
    /// <c>sample_weight</c> with temporal outputs.
    /// </summary>
    /// <param name="sampleWeight">The user's sample weights: (N,), (N, 1), or (N, steps).</param>
    /// <param name="classWeight">The user's class weights (one output only).</param>
    /// <param name="y">The target arrays.</param>
    /// <param name="outputs">The model's number of outputs.</param>
    /// <param name="sampleWeightName">The argument's name, for messages.</param>
    /// <param name="outputShapes">The model's per-sample output shapes, which tell whether per-step weights fit.</param>
    public static NDArray<float>? Resolve(NDArray? sampleWeight, IReadOnlyDictionary<int, double>? classWeight, IReadOnlyList<NDArray> y, int outputs,
        string sampleWeightName = "sampleWeight", IReadOnlyList<Shape>? outputShapes = null)
    {
        if (sampleWeight is not null && classWeight is not null)
            throw new ArgumentException("You cannot use `classWeight` and `sampleWeight` at the same time (as in Keras): fold the class weights into the sample weights.");
        int n = y[0].Length;
        if (sampleWeight is not null)
        {
            bool perSample = sampleWeight.Rank == 1 || (sampleWeight.Rank == 2 && sampleWeight.Shape[1] == 1);
            int steps = sampleWeight.Rank == 2 ? sampleWeight.Shape[1] : 1;
            bool perStep = !perSample && sampleWeight.Rank == 2 && outputShapes is { Count: > 0 }
                && outputShapes.All(s => s.Rank >= 2 && s[0] == steps);
            if (!(perSample || perStep) || sampleWeight.Length != n)
            {
                string sequences = outputShapes is { Count: > 0 } && outputShapes.All(s => s.Rank >= 2)
                    ? $", or one per step, shape ({n}, {outputShapes[0][0]}), for the model's sequence output(s)"
                    : " (per-step weights, (N, steps), need outputs of shape (N, steps, ...))";
                throw new ArgumentException($"{sampleWeightName} must hold one weight per sample, shape ({n},){sequences}; got {sampleWeight.Shape}.", sampleWeightName);
            }
            int weightsPerRow = perStep ? steps : 1;
            var values = new float[n * weightsPerRow];
            sampleWeight.GatherRows([.. Enumerable.Range(0, n)], values);
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new ArgumentException($"{sampleWeightName}[{(perStep ? $"{i / weightsPerRow}, {i % weightsPerRow}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))}] is {values[i]}; sample weights must be finite.", sampleWeightName);
            return perStep ? new NDArray<float>(values, n, weightsPerRow) : new NDArray<float>(values, n);
        }
        if (classWeight is null) return null;
        if (outputs != 1)
            throw new ArgumentException($"`classWeight` is only supported for models with a single output; this one has {outputs}. Give sampleWeight instead.", nameof(classWeight));
        var target = y[0];
        int perRow = target.Length == 0 ? 1 : target.Size / target.Length;
        var flat = new float[target.Size];
        target.GatherRows([.. Enumerable.Range(0, n)], flat);
        var weights = new float[n];
        for (int i = 0; i < n; i++)
        {
            var row = flat.AsSpan(i * perRow, perRow);
            int cls = perRow == 1 ? (int)row[0] : Metrics.ArgMaxAccuracy.ArgMax(row);
            if (!classWeight.TryGetValue(cls, out double w))
                throw new ArgumentException($"classWeight has no weight for class {cls} (sample {i}); it must give one for every class in y. Given: {{{string.Join(", ", classWeight.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"))}}}.", nameof(classWeight));
            if (!double.IsFinite(w)) throw new ArgumentException($"classWeight[{cls}] is {w}; class weights must be finite.", nameof(classWeight));
            weights[i] = (float)w;
        }
        return new NDArray<float>(weights, n);
    }
}
