using System.Numerics;

namespace Dendrite;

/// <summary>The element types an <see cref="NDArray{T}"/> may hold, with NumPy's names for them.</summary>
internal static class DTypes
{
    public static string NameOf<T>() where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(byte)) return "uint8";
        if (typeof(T) == typeof(int)) return "int32";
        if (typeof(T) == typeof(long)) return "int64";
        if (typeof(T) == typeof(float)) return "float32";
        if (typeof(T) == typeof(double)) return "float64";
        throw new NotSupportedException($"NDArray supports byte, int, long, float and double elements, got {typeof(T).Name}.");
    }

    public static bool IsFloatingPoint<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);
}
