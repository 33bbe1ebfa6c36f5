using System.Diagnostics;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// The reference ONNX checker (Python's <c>onnx.checker.check_model(..., full_check=True)</c>, which also runs strict
/// shape inference) accepts the exported MLP and convnet. It comes from Debian's python3-onnx (ONNX 1.12, opset 17),
/// which .ci/run installs.
/// </summary>
public sealed class OnnxCheckerTests(ITestOutputHelper output)
{
    private const string CheckScript = "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)";

    private const string Missing =
        "The ONNX checker needs Python's onnx module from Debian's python3-onnx package, which is not installed: " +
        "apt-get install python3-onnx; .ci/run installs it.";

    /// <summary>Debian's interpreter first (python3-onnx installs for it), then whatever python3 is on the PATH.</summary>
    private static readonly string[] s_interpreters = ["/usr/bin/python3", "python3"];

    private static (int ExitCode, string Output) Run(string interpreter, params string[] arguments)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{interpreter} did not finish within 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The first interpreter that imports onnx, or null.</summary>
    private static string? PythonWithOnnx()
    {
        foreach (string interpreter in s_interpreters)
        {
            try
            {
                if (Run(interpreter, "-c", "import onnx").ExitCode == 0) return interpreter;
            }
            catch (System.ComponentModel.Win32Exception) { } // no such program
        }
        return null;
    }

    [Fact]
    public void TheOnnxCheckerAcceptsTheExportedMlpAndConvnet()
    {
        string python = PythonWithOnnx() ?? throw new Xunit.Sdk.XunitException(Missing);
        output.WriteLine($"{python}: onnx {Run(python, "-c", "import onnx; print(onnx.__version__)").Output.Trim()}");
        string folder = OnnxCheck.TempFolder();
        try
        {
            foreach (var (name, model) in new (string, Model)[]
                     {
                         ("mlp", OnnxModelTests.Mlp()),
                         ("convnet", KerasFixtures.MnistConvnet()),
                         ("two_inputs_two_outputs", OnnxModelTests.TwoInputsTwoOutputs()),
                     })
            {
                string path = Path.Combine(folder, $"{name}.onnx");
                model.Export(path, format: "onnx");
                var (exitCode, text) = Run(python, "-c", CheckScript, path);
                Assert.True(exitCode == 0, $"onnx.checker rejected the exported {name}:\n{text}");
                output.WriteLine($"onnx.checker.check_model(full_check=True) accepts {name}.onnx");
            }

            // The checker does reject a broken file, so its verdict above means something.
            string broken = Path.Combine(folder, "broken.onnx");
            var proto = OnnxCheck.Parse(Path.Combine(folder, "mlp.onnx"));
            proto.Graph.Node[0].Input[1] = "no_such_value";
            File.WriteAllBytes(broken, Google.Protobuf.MessageExtensions.ToByteArray(proto));
            Assert.NotEqual(0, Run(python, "-c", CheckScript, broken).ExitCode);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
