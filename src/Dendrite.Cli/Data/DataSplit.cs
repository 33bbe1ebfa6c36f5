namespace Dendrite.Cli.Data;

/// <summary>Which half of a dataset a command reads: <c>train</c> trains on the training set, <c>evaluate</c> uses the test set.</summary>
internal enum Split
{
    Train,
    Test,
}

/// <summary>
/// Labelled samples ready for a model: pixels scaled to 0–1, first axis the samples, and one integer label per sample.
/// </summary>
/// <param name="X">The samples, (N, …) as loaded (for example (N, 28, 28)); reshaped to the model's input later.</param>
/// <param name="Labels">Class indices, (N,).</param>
/// <param name="Origin">Where the samples came from, for messages ("MNIST test set", "digits/train").</param>
/// <param name="ClassNames">The name of each class index when the source names them (folders, Fashion-MNIST), else null.</param>
internal sealed record DataSplit(NDArray<float> X, NDArray<int> Labels, string Origin, IReadOnlyList<string>? ClassNames)
{
    /// <summary>The first <paramref name="limit"/> samples (all of them when null or larger).</summary>
    public DataSplit Take(int? limit) => limit is int n && n < Labels.Length ? this with { X = X[0..n], Labels = Labels[0..n] } : this;
}
