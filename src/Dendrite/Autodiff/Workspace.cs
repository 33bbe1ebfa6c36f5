namespace Dendrite.Autodiff;

/// <summary>
/// An arena of float buffers for the tensors of one step. Buffers are handed out by position: after
/// <see cref="Reset"/>, the i-th request gets the same buffer as the i-th request of the previous step (when it is
/// large enough). A step that repeats therefore reuses the same memory, a smaller last batch reuses the buffers of
/// the full batches, and steady-state training allocates no activation memory (buffers over 85 kB would otherwise
/// land on the large-object heap every step).
/// </summary>
internal sealed class Workspace
{
    [ThreadStatic] private static Workspace? s_current;

    private readonly List<float[]> _slots = [];
    private int _next;

    /// <summary>The workspace ops allocate from on this thread, or null (ops then allocate normally).</summary>
    public static Workspace? Current => s_current;

    /// <summary>Makes this workspace current until the returned scope is disposed.</summary>
    public Scope Activate()
    {
        var previous = s_current;
        s_current = this;
        return new Scope(previous, null);
    }

    /// <summary>
    /// Makes this workspace current for one batch whose tensors die with it (inference): disposing the scope also
    /// takes every buffer back, even when the batch threw.
    /// </summary>
    public Scope ActivateForBatch()
    {
        var previous = s_current;
        s_current = this;
        return new Scope(previous, this);
    }

    /// <summary>A buffer of at least <paramref name="size"/> floats; its contents are whatever the slot held.</summary>
    public float[] Rent(int size)
    {
        if (_next < _slots.Count)
        {
            if (_slots[_next].Length < size) _slots[_next] = new float[size];
            return _slots[_next++];
        }
        var fresh = new float[size];
        _slots.Add(fresh);
        _next++;
        return fresh;
    }

    /// <summary>Starts handing out buffers from the first slot again. Tensors that used them are dead after this.</summary>
    public void Reset() => _next = 0;

    public readonly struct Scope(Workspace? previous, Workspace? resetOnDispose) : IDisposable
    {
        public void Dispose()
        {
            s_current = previous;
            resetOnDispose?.Reset();
        }
    }
}
