using System.Security.Cryptography;
using System.Runtime.InteropServices;

namespace Dendrite.MpiChild;

/// <summary>A check inside a scenario failed; the rank aborts the job with exit code 2.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>Small helpers the scenarios share.</summary>
internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition)
            throw new CheckFailedException(what);
    }

    /// <summary>The first 16 hex digits of SHA-256 over the values' bits: equal digests mean bit-identical arrays.</summary>
    public static string Digest<T>(ReadOnlySpan<T> values) where T : unmanaged =>
        Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(values)))[..16];

    /// <summary>Busy work of about <paramref name="iterations"/> dependent floating-point steps (no MPI calls).</summary>
    public static double Spin(long iterations)
    {
        double x = 1.0;
        for (long i = 0; i < iterations; i++)
            x = x * 1.0000001 + 1e-9;
        return x;
    }
}
