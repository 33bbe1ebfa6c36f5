using System.Diagnostics;
using System.Runtime.InteropServices;
using Dendrite.Kernels;
using Dendrite.PathChild;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// The AVX2 path as users without AVX-512 get it: a child process (tests/Dendrite.PathChild) started with
/// <c>DOTNET_EnableAVX512=0</c>, so the runtime itself stops accelerating <c>Vector512</c> (no test hook forces the
/// path). .NET 10 ignores the older <c>DOTNET_EnableAVX512F=0</c> alone (this test failed with it: the child stayed on
/// AVX-512); both are set. It must report the AVX2 path (<see cref="Simd.ActivePath"/>), and its matrix products and one SGD step of a
/// small dense network must match float64 references computed here.
/// </summary>
public sealed class SimdPathChildTests
{
    /// <summary>The path the child must take: AVX2 when this machine can run it (with or without AVX-512), else Vector128.</summary>
    private static string ExpectedPath => Simd.Name(Simd.IsSupported(SimdPath.Avx2) ? SimdPath.Avx2 : SimdPath.Vector128);

    private static readonly Lazy<(Dictionary<string, float[]> Files, string[] Lines)> s_run = new(RunChild);

    [Fact]
    public void TheChildReportsTheAvx2Path()
    {
        var lines = s_run.Value.Lines;
        Assert.Contains($"path {ExpectedPath}", lines);
        Assert.Contains("vector512 False", lines);
    }

    [Fact]
    public void GemmOnTheAvx2PathMatchesTheFloat64Reference()
    {
        for (int i = 0; i < PathCases.Gemms.Length; i++)
        {
            var (m, k, n, ta, tb) = PathCases.Gemms[i];
            var (a, b) = PathCases.GemmInputs(i);
            var actual = Read($"gemm{i}.bin", m * n);
            for (int r = 0; r < m; r++)
                for (int col = 0; col < n; col++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                        sum += (double)a[ta ? p * m + r : r * k + p] * b[tb ? col * k + p : p * n + col];
                    // float32 rounding grows with k (all |values| ≤ 1): as GemmPathTests.
                    double tolerance = 1e-6 * (1 + k);
                    if (Math.Abs(actual[r * n + col] - sum) > tolerance)
                        Assert.Fail($"({m},{k},{n}) tA={ta} tB={tb}: C[{r},{col}] = {actual[r * n + col]:R}, reference {sum:R}.");
                }
        }
    }

    [Fact]
    public void OneTrainingStepOnTheAvx2PathMatchesTheFloat64Reference()
    {
        const int B = PathCases.Batch, F = PathCases.Features, H = PathCases.Hidden, O = PathCases.Outputs;
        var (x, y) = PathCases.StepData();
        var w = PathCases.InitialWeights();
        double[] w1 = [.. w[0].Select(v => (double)v)], b1 = [.. w[1].Select(v => (double)v)];
        double[] w2 = [.. w[2].Select(v => (double)v)], b2 = [.. w[3].Select(v => (double)v)];
        // Forward: h = relu(x·W1 + b1), out = h·W2 + b2; loss = mean over batch and outputs of (out − y)².
        var pre = new double[B * H];
        var h = new double[B * H];
        var dOut = new double[B * O];
        for (int s = 0; s < B; s++)
        {
            for (int j = 0; j < H; j++)
            {
                double v = b1[j];
                for (int f = 0; f < F; f++) v += x[s * F + f] * w1[f * H + j];
                pre[s * H + j] = v;
                h[s * H + j] = Math.Max(v, 0);
            }
            for (int o = 0; o < O; o++)
            {
                double v = b2[o];
                for (int j = 0; j < H; j++) v += h[s * H + j] * w2[j * O + o];
                dOut[s * O + o] = 2 * (v - y[s * O + o]) / (B * O);
            }
        }
        // Backward, then W −= lr·dW.
        var g1 = new double[F * H];
        var gb1 = new double[H];
        var g2 = new double[H * O];
        var gb2 = new double[O];
        for (int s = 0; s < B; s++)
            for (int j = 0; j < H; j++)
            {
                double dh = 0;
                for (int o = 0; o < O; o++)
                {
                    g2[j * O + o] += h[s * H + j] * dOut[s * O + o];
                    dh += dOut[s * O + o] * w2[j * O + o];
                }
                if (pre[s * H + j] <= 0) continue;
                gb1[j] += dh;
                for (int f = 0; f < F; f++) g1[f * H + j] += x[s * F + f] * dh;
            }
        for (int s = 0; s < B; s++)
            for (int o = 0; o < O; o++) gb2[o] += dOut[s * O + o];
        double[][] expected = [Step(w1, g1), Step(b1, gb1), Step(w2, g2), Step(b2, gb2)];
        for (int j = 0; j < expected.Length; j++)
        {
            var actual = Read($"step{j}.bin", expected[j].Length);
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[j][i]) < 1e-5,
                    $"weight {j}[{i}] after the step: {actual[i]:R}, reference {expected[j][i]:R}.");
        }
        // The step must have moved the weights (else the comparison says nothing about the gradient).
        Assert.True(Math.Abs(expected[0][0] - w1[0]) > 1e-5 || Math.Abs(expected[2][0] - w2[0]) > 1e-5);
    }

    private static double[] Step(double[] weights, double[] gradient) =>
        [.. weights.Select((v, i) => v - PathCases.LearningRate * gradient[i])];

    private static float[] Read(string name, int count)
    {
        Assert.True(s_run.Value.Files.TryGetValue(name, out var values), $"the path child wrote no {name}.");
        Assert.Equal(count, values.Length);
        return values;
    }

    /// <summary>Runs the child once; its output files, read into memory (the directory is deleted), and its stdout lines.</summary>
    private static (Dictionary<string, float[]> Files, string[] Lines) RunChild()
    {
        string dll = TestSupport.SiblingBuild.Dll("Dendrite.PathChild", "The SIMD path child", "tests/Dendrite.PathChild", "tests/Dendrite.Tests");
        string directory = Path.Combine(Path.GetTempPath(), $"dendrite-path-child-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["exec", dll, directory]) start.ArgumentList.Add(a);
        // What users without AVX-512 get: the runtime, not a test hook, keeps Vector512 off.
        start.Environment["DOTNET_EnableAVX512"] = "0";
        start.Environment["DOTNET_EnableAVX512F"] = "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the path child");
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000)) { process.Kill(); Assert.Fail("the path child did not finish within 60 s."); }
        Assert.True(process.ExitCode == 0, $"the path child exited with {process.ExitCode}: {errors.Result}");
        var files = Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(f)).ToArray(), StringComparer.Ordinal);
        Directory.Delete(directory, recursive: true);
        return (files, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
