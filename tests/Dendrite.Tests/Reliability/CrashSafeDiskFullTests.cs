using System.Diagnostics;
using Dendrite.Layers;
using Xunit.Abstractions;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Saves onto a full disk (a 1 MiB tmpfs, mounted by the test, so it needs root): the save that does not fit fails
/// with an <see cref="IOException"/> naming the path and saying the disk is full; the previous file is intact and
/// loads, and no temporary file is left.
/// </summary>
public sealed class CrashSafeDiskFullTests(ITestOutputHelper output)
{
    /// <summary>Input(784) → Dense(units) → Dense(10) with seeded weights: 32 units ≈ 0.1 MB, 400 units ≈ 1.3 MB.</summary>
    private static Model Mlp(int units, int seed)
    {
        var inputs = new Input([784]);
        var model = new Model(inputs, new Dense(10).Call(new Dense(units, activation: "relu").Call(inputs)));
        var rng = new Random(seed);
        model.SetWeights([.. model.GetWeights().Select(w =>
            new NDArray<float>([.. Enumerable.Range(0, w.Size).Select(_ => (float)(rng.NextDouble() - 0.5))], w.Shape.ToArray()))]);
        return model;
    }

    private static void Save(string kind, Model model, string path)
    {
        switch (kind)
        {
            case "weights": model.SaveWeights(path); break;
            case "onnx": model.Export(path); break;
            default: model.Save(path); break;
        }
    }

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, text.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run {program}: {e.Message}");
        }
    }

    [Fact]
    public void ASaveThatDoesNotFitFailsClearlyAndKeepsThePreviousFile()
    {
        Assert.True(OperatingSystem.IsLinux(), "This test mounts a tmpfs: it needs Linux (and root).");
        string folder = Directory.CreateTempSubdirectory("dendrite-diskfull-").FullName;
        var (code, text) = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder);
        if (code != 0)
        {
            Directory.Delete(folder);
            Assert.Fail($"Mounting a 1 MiB tmpfs on {folder} failed (exit code {code}: {text}). This test needs root (or CAP_SYS_ADMIN) " +
                        $"to mount it; the tests run as user '{Environment.UserName}'. Run the tests as root, as CI does.");
        }
        try
        {
            var small = Mlp(32, seed: 1);
            var big = Mlp(400, seed: 2);
            var probe = new NDArray<float>(TestData.Uniform(7, 3 * 784, 0, 1), 3, 784);
            float[] expected = small.Predict(probe, verbose: 0).ToArray();
            foreach (var (kind, name) in new[] { ("keras", "model.keras"), ("weights", "model.weights.h5"), ("onnx", "model.onnx") })
            {
                string path = Path.Combine(folder, name);
                Save(kind, small, path);
                byte[] before = File.ReadAllBytes(path);

                var e = Assert.Throws<IOException>(() => Save(kind, big, path));
                output.WriteLine($"{kind}: {e.GetType().Name}: {e.Message}");
                Assert.Contains($"'{path}'", e.Message);
                Assert.Contains("the disk is full", e.Message);
                Assert.Equal(28, e.HResult); // ENOSPC, as .NET reports it

                Assert.Equal([name], Directory.GetFiles(folder).Select(Path.GetFileName)); // no temporary file left
                Assert.Equal(before, File.ReadAllBytes(path));
                switch (kind)
                {
                    case "keras":
                        Assert.Equal(expected, Model.Load(path).Predict(probe, verbose: 0).ToArray());
                        break;
                    case "weights":
                        var restored = Mlp(32, seed: 99);
                        restored.LoadWeights(path);
                        Assert.Equal(expected, restored.Predict(probe, verbose: 0).ToArray());
                        break;
                    default:
                        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path))
                            Assert.Single(session.InputMetadata);
                        break;
                }
                File.Delete(path); // room for the next format
            }
        }
        finally
        {
            var (unmount, message) = Run("umount", folder);
            if (unmount != 0) Run("umount", "-l", folder);
            Directory.Delete(folder, recursive: true);
            Assert.True(unmount == 0, $"umount {folder}: {message}");
        }
    }
}
