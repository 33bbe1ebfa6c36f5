namespace Dendrite.Autodiff;

/// <summary>
/// A pool of float buffers for the tensors of one step. The trainer makes one current, runs a batch, then calls
/// <see cref="Reset"/>: every buffer lent during the batch goes back to the pool, so steady-state training does
/// not allocate activation memory per batch (buffers over 85 kB would otherwise land on the large-object heap).
/// </summary>
internal sealed class Workspace
{
    [ThreadStatic] private static Workspace? s_current;

    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly List<float[]> _lent = [];

    /// <summary>The workspace ops allocate from on this thread, or null (ops then allocate normally).</summary>
    public static Workspace? Current => s_current;

    /// <summary>Makes this workspace current until the returned scope is disposed.</summary>
    public Scope Activate()
    {
        var previous = s_current;
        s_current = this;
        return new Scope(previous);
    }

    public float[] Rent(int size)
    {
        if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            var buffer = stack.Pop();
            _lent.Add(buffer);
            return buffer;
        }
        var fresh = new float[size];
        _lent.Add(fresh);
        return fresh;
    }

    /// <summary>Takes back every buffer lent since the last reset. Tensors that used them are dead after this.</summary>
    public void Reset()
    {
        foreach (var buffer in _lent)
        {
            if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
        }
        _lent.Clear();
    }

    public readonly struct Scope(Workspace? previous) : IDisposable
    {
        public void Dispose() => s_current = previous;
    }
}
