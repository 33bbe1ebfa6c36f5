namespace Dendrite.Training;

/// <summary>
/// Keras' <c>sample_weight</c> and <c>class_weight</c> arguments of <c>fit</c>, turned into one float32 weight per
/// sample. A class weight gives every sample the weight of its class: the integer label for sparse targets ((N,) or
/// (N, 1)), the argmax of the row for one-hot targets.
/// </summary>
internal static class SampleWeights
{
    /// <summary>The per-sample weights to gather with the targets, or null when neither argument is given.</summary>
    public static NDArray<float>? Resolve(NDArray? sampleWeight, IReadOnlyDictionary<int, double>? classWeight, IReadOnlyList<NDArray> y, int outputs,
        string sampleWeightName = "sampleWeight")
    {
        if (sampleWeight is not null && classWeight is not null)
            throw new ArgumentException("You cannot use `classWeight` and `sampleWeight` at the same time (as in Keras): fold the class weights into the sample weights.");
        int n = y[0].Length;
        if (sampleWeight is not null)
        {
            if (!(sampleWeight.Rank == 1 || (sampleWeight.Rank == 2 && sampleWeight.Shape[1] == 1)) || sampleWeight.Length != n)
                throw new ArgumentException($"{sampleWeightName} must hold one weight per sample, shape ({n},); got {sampleWeight.Shape}.", sampleWeightName);
            var values = new float[n];
            sampleWeight.GatherRows([.. Enumerable.Range(0, n)], values);
            for (int i = 0; i < n; i++)
                if (!float.IsFinite(values[i]))
                    throw new ArgumentException($"{sampleWeightName}[{i}] is {values[i]}; sample weights must be finite.", sampleWeightName);
            return new NDArray<float>(values, n);
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
