namespace Dendrite.Saving;

/// <summary>
/// A read-only view of a stream that allows reading at most a budget of bytes in all, counting re-reads: PureHDF
/// walks structures a hostile file can make cyclic (a B-tree node or a symbolic link that leads back to itself) and
/// would read forever, or recurse until the process dies. Reading a real weights file touches each byte a few times
/// at most, so a budget of many times the file's length stops such a walk early with an exception, which
/// <see cref="H5WeightsSource"/> reports as a damaged file.
/// </summary>
internal sealed class ReadBudgetStream(Stream inner, long budget) : Stream
{
    private readonly long _budget = budget;
    private long _remaining = budget;

    /// <summary>The budget for a file of <paramref name="length"/> bytes: 32 readings of it, and 64 KiB for its metadata.</summary>
    public static long For(long length) => 32 * length + (64 << 10);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        _remaining -= read;
        if (_remaining < 0)
            throw new InvalidDataException($"reading the HDF5 structures went over {_budget:N0} bytes, many times the file's size: they loop back on themselves");
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
