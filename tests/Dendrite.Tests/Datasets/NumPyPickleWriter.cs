using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// Writes the <c>.npy</c> bytes NumPy writes for a 1-D object array of lists of ints, byte for byte as
/// <c>np.save(f, a, allow_pickle=True)</c> does with NumPy 1.24 on CPython 3 (checked against NumPy's own output in
/// <see cref="ObjectArrayPickleTests"/>): the header dict <c>{'descr': '|O', 'fortran_order': False, 'shape': (n,), }</c>
/// padded to 64 bytes, then <c>pickle.dump(a, protocol=3)</c> as CPython's pickler emits it.
/// </summary>
/// <remarks>
/// The pickle, in CPython's order: <c>PROTO 3</c>; <c>GLOBAL 'numpy.core.multiarray _reconstruct'</c>,
/// <c>GLOBAL 'numpy ndarray'</c>, <c>(0,)</c>, <c>b'b'</c>, <c>TUPLE3</c>, <c>REDUCE</c>; then the state tuple under
/// <c>MARK … TUPLE</c>: version 1, the shape tuple, <c>dtype('O8', False, True)</c> built with
/// <c>(3, '|', None, None, None, -1, -1, 63)</c>, <c>False</c>, and the list of items; <c>BUILD</c>, <c>STOP</c>.
/// Every tuple, string, list and global is memoized with <c>BINPUT</c> (<c>LONG_BINPUT</c> from index 256). Ints take
/// the smallest of <c>BININT1</c>, <c>BININT2</c>, <c>BININT</c>, <c>LONG1</c>. A list of one item is
/// <c>EMPTY_LIST BINPUT item APPEND</c>; longer ones append in batches of at most 1000 under <c>MARK … APPENDS</c>.
/// </remarks>
internal sealed class NumPyPickleWriter
{
    private readonly MemoryStream _out = new();
    private int _memo;

    /// <summary>The complete <c>.npy</c> file.</summary>
    internal static byte[] ObjectArrayNpy(IReadOnlyList<int[]> items, string multiarray = "numpy.core.multiarray") =>
        ObjectArrayNpy([.. items.Select(x => x.Select(v => (long)v).ToArray())], multiarray);

    /// <summary>The complete <c>.npy</c> file for items that may hold ints beyond 32 bits.</summary>
    internal static byte[] ObjectArrayNpy(IReadOnlyList<long[]> items, string multiarray = "numpy.core.multiarray") =>
        Npy.Array(ObjectArrayPickle(items, multiarray), $"({items.Count},)", descr: "|O");

    /// <summary>Only the pickle (what follows the header).</summary>
    internal static byte[] ObjectArrayPickle(IReadOnlyList<long[]> items, string multiarray = "numpy.core.multiarray")
    {
        var w = new NumPyPickleWriter();
        w.Op(0x80); w.Op(3);
        w.Global(multiarray, "_reconstruct");
        w.Global("numpy", "ndarray");
        w.Int(0); w.Op(0x85); w.Put();               // (0,)
        w.Op((byte)'C'); w.Op(1); w.Op((byte)'b'); w.Put(); // b'b'
        w.Op(0x87); w.Put();                          // TUPLE3
        w.Op((byte)'R'); w.Put();                     // REDUCE
        w.Op((byte)'(');                              // the state tuple
        w.Int(1);
        w.Int(items.Count); w.Op(0x85); w.Put();      // shape (n,)
        w.Global("numpy", "dtype");
        w.Unicode("O8"); w.Op(0x89); w.Op(0x88); w.Op(0x87); w.Put(); // ('O8', False, True)
        w.Op((byte)'R'); w.Put();
        w.Op((byte)'('); w.Int(3); w.Unicode("|"); w.Op((byte)'N'); w.Op((byte)'N'); w.Op((byte)'N');
        w.Int(-1); w.Int(-1); w.Int(63); w.Op((byte)'t'); w.Put();
        w.Op((byte)'b');                              // BUILD the dtype
        w.Op(0x89);                                   // not Fortran order
        w.List(items.Count, i => w.IntList(items[i]));
        w.Op((byte)'t'); w.Put();
        w.Op((byte)'b');                              // BUILD the array
        w.Op((byte)'.');
        return w._out.ToArray();
    }

    private void IntList(long[] values) => List(values.Length, i => Int(values[i]));

    private void List(int count, Action<int> item)
    {
        Op((byte)']'); Put();
        for (int start = 0; start < count; start += 1000)
        {
            int n = Math.Min(1000, count - start);
            if (n == 1)
            {
                item(start);
                Op((byte)'a');
                continue;
            }
            Op((byte)'(');
            for (int i = start; i < start + n; i++) item(i);
            Op((byte)'e');
        }
    }

    private void Global(string module, string name)
    {
        Op((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        Put();
    }

    private void Unicode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Op((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _out.Write(length);
        _out.Write(bytes);
        Put();
    }

    internal void Int(long value)
    {
        Span<byte> buffer = stackalloc byte[9];
        if (value is >= 0 and <= 0xff) { Op((byte)'K'); Op((byte)value); }
        else if (value is >= 0 and <= 0xffff) { Op((byte)'M'); BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value); _out.Write(buffer[..2]); }
        else if (value is >= int.MinValue and <= int.MaxValue) { Op((byte)'J'); BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value); _out.Write(buffer[..4]); }
        else
        {
            // LONG1: CPython's encode_long, (bit_length >> 3) + 1 bytes of little-endian two's complement, trimmed for negatives.
            byte[] bytes = new BigInteger(value).ToByteArray(isUnsigned: false, isBigEndian: false);
            Op(0x8a); Op((byte)bytes.Length); _out.Write(bytes);
        }
    }

    private void Put()
    {
        if (_memo < 256) { Op((byte)'q'); Op((byte)_memo); }
        else
        {
            Op((byte)'r');
            Span<byte> index = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(index, (uint)_memo);
            _out.Write(index);
        }
        _memo++;
    }

    private void Op(byte b) => _out.WriteByte(b);
}
