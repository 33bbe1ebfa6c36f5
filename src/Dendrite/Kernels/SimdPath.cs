using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>The vector instruction sets Dendrite's kernels have a path for, narrowest first.</summary>
public enum SimdPath
{
    /// <summary>The portable path: <c>Vector128</c> (SSE on x64, NEON on ARM64) and scalar loops.</summary>
    Vector128,

    /// <summary>AVX2 with FMA: 256-bit vectors, 16 ymm registers.</summary>
    Avx2,

    /// <summary>AVX-512F: 512-bit vectors, 32 zmm registers.</summary>
    Avx512,
}

/// <summary>
/// The one place that decides which vector path the kernels take on this machine. The matrix products (and through
/// them Dense, Conv2D and the recurrent layers) take <see cref="ActivePath"/>'s micro-kernel; the elementwise kernels
/// that have a 16-lane loop take it exactly when <see cref="ActivePath"/> is <see cref="SimdPath.Avx512"/>.
/// </summary>
/// <remarks>
/// The runtime decides what is accelerated, so the path follows its settings: with the environment variable
/// <c>DOTNET_EnableAVX512=0</c> (.NET 10; earlier runtimes read <c>DOTNET_EnableAVX512F=0</c>, which .NET 10 ignores) the
/// JIT stops accelerating <c>Vector512</c> and the kernels take the AVX2 path; with
/// <c>DOTNET_EnableAVX2=0</c> they take the <c>Vector128</c> one. The benchmark uses both to measure the narrower paths
/// on an AVX-512 machine.
/// </remarks>
public static class Simd
{
    /// <summary>The widest path this process can run (fixed for the life of the process: the JIT decides it at start-up).</summary>
    public static SimdPath ActivePath { get; } =
        IsSupported(SimdPath.Avx512) ? SimdPath.Avx512
        : IsSupported(SimdPath.Avx2) ? SimdPath.Avx2
        : SimdPath.Vector128;

    /// <summary>
    /// Whether this process can run <paramref name="path"/>. AVX-512 needs the JIT to accelerate <c>Vector512</c> as
    /// well as AVX-512F itself (on some CPUs .NET keeps <c>Vector512</c> off by default because it would throttle the clock).
    /// </summary>
    public static bool IsSupported(SimdPath path) => path switch
    {
        SimdPath.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        SimdPath.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };

    /// <summary>The path's label in reports: <c>"AVX-512"</c>, <c>"AVX2+FMA"</c> or <c>"Vector128"</c>.</summary>
    public static string Name(SimdPath path) => path switch
    {
        SimdPath.Avx512 => "AVX-512",
        SimdPath.Avx2 => "AVX2+FMA",
        _ => "Vector128",
    };
}
