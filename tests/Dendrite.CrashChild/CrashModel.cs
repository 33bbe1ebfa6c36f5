using System.Security.Cryptography;
using Dendrite.Layers;

namespace Dendrite.CrashChild;

/// <summary>
/// The model the crash child saves over and over, shared (by source link) with the test that checks the files:
/// Input(784) → Dense(256, relu) → Dense(10), about 0.8 MB of float weights, so each save takes a few milliseconds.
/// </summary>
internal static class CrashModel
{
    /// <summary>A fresh, unseeded model of the fixed architecture.</summary>
    internal static Model Build()
    {
        var inputs = new Input([784], name: "pixels");
        var hidden = new Dense(256, activation: "relu", name: "hidden").Call(inputs);
        var outputs = new Dense(10, name: "logits").Call(hidden);
        return new Model(inputs, outputs, name: "crash_mlp");
    }

    /// <summary>Sets every weight of <paramref name="model"/> from seed <paramref name="k"/> (iteration k's state).</summary>
    internal static void SetIteration(Model model, int k)
    {
        var rng = new Random(k);
        var values = new List<NDArray<float>>();
        foreach (var w in model.GetWeights())
        {
            var data = new float[w.Size];
            for (int i = 0; i < data.Length; i++)
                data[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
            values.Add(new NDArray<float>(data, w.Shape.ToArray()));
        }
        model.SetWeights(values);
    }

    /// <summary>The fixed probe input (4 samples) on which predictions are compared.</summary>
    internal static NDArray<float> Probe()
    {
        var rng = new Random(784);
        var data = new float[4 * 784];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)rng.NextDouble();
        return new NDArray<float>(data, 4, 784);
    }

    /// <summary>A SHA-256 (hex) of every weight's float bits, in order: equal digests mean identical weights.</summary>
    internal static string Digest(Model model)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var w in model.GetWeights())
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.ToArray().AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
