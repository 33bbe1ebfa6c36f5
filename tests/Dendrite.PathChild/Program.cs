// The SIMD path child: runs Dendrite's matrix products and one training step on whatever path the runtime leaves
// it (the test starts it with DOTNET_EnableAVX512=0 to reach the AVX2 path on an AVX-512 machine).
//   dotnet exec Dendrite.PathChild.dll <output directory>
// Prints "path <Simd.Name>" and writes gemm<i>.bin (C of PathCases.Gemms[i]) and step<j>.bin (weight j after the
// step), little-endian float32.
using Dendrite.Kernels;
using Dendrite.PathChild;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Dendrite.PathChild <existing output directory>");
    return 2;
}
Console.WriteLine($"path {Simd.Name(Simd.ActivePath)}");
Console.WriteLine($"vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
for (int i = 0; i < PathCases.Gemms.Length; i++)
{
    var (m, k, n, ta, tb) = PathCases.Gemms[i];
    var (a, b) = PathCases.GemmInputs(i);
    var c = new float[m * n];
    Gemm.Multiply(a, b, c, m, k, n, ta, tb);
    Write(Path.Combine(args[0], $"gemm{i}.bin"), c);
}
var weights = PathCases.TrainOneStep();
for (int j = 0; j < weights.Length; j++) Write(Path.Combine(args[0], $"step{j}.bin"), weights[j]);
return 0;

static void Write(string path, float[] values) =>
    File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
