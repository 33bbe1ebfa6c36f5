using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Dendrite.Datasets;

/// <summary>
/// Reads, without executing anything, the pickle NumPy writes for a 1-D object array whose items are Python lists of
/// ints: how <c>imdb.npz</c> and <c>reuters.npz</c> store their ragged word-index sequences. This is not a general
/// unpickler: it runs only the opcodes such a pickle uses and only the three callables that rebuild an array, and
/// refuses everything else with a <see cref="DatasetException"/> naming the file, the byte and the opcode.
/// </summary>
/// <remarks>
/// <para>
/// <c>np.save</c> writes an object array as the <c>.npy</c> header (<c>'descr': '|O'</c>) followed by
/// <c>pickle.dump(array, protocol=3)</c>. For <c>[[1, 2, 300], [70000], []]</c> NumPy 1.24 writes:
/// </para>
/// <code>
/// PROTO 3
/// GLOBAL 'numpy.core.multiarray _reconstruct'  BINPUT 0      (numpy._core.multiarray in NumPy 2)
/// GLOBAL 'numpy ndarray'  BINPUT 1
/// BININT1 0  TUPLE1  BINPUT 2  SHORT_BINBYTES b'b'  BINPUT 3  TUPLE3  BINPUT 4
/// REDUCE  BINPUT 5                                   _reconstruct(ndarray, (0,), b'b'): an empty array
/// MARK
///   BININT1 1                                        state version
///   BININT1 3  TUPLE1  BINPUT 6                      shape (3,)
///   GLOBAL 'numpy dtype'  BINPUT 7  BINUNICODE 'O8'  BINPUT 8  NEWFALSE  NEWTRUE  TUPLE3  BINPUT 9
///   REDUCE  BINPUT 10                                dtype('O8', False, True)
///   MARK  BININT1 3  BINUNICODE '|'  BINPUT 11  NONE  NONE  NONE  BININT -1  BININT -1  BININT1 63  TUPLE  BINPUT 12
///   BUILD                                            the dtype's state
///   NEWFALSE                                         not Fortran order
///   EMPTY_LIST  BINPUT 13
///   MARK
///     EMPTY_LIST  BINPUT 14  MARK  BININT1 1  BININT1 2  BININT2 300  APPENDS
///     EMPTY_LIST  BINPUT 15  BININT 70000  APPEND          (one item: APPEND, no MARK)
///     EMPTY_LIST  BINPUT 16
///   APPENDS                                          (lists longer than 1000 items take several MARK … APPENDS)
/// TUPLE  BINPUT 17
/// BUILD                                              ndarray.__setstate__((1, (3,), dtype, False, [...]))
/// STOP
/// </code>
/// <para>
/// Also accepted, because other writers produce them: protocols 2 to 5 (framing, <c>MEMOIZE</c>,
/// <c>STACK_GLOBAL</c>, <c>SHORT_BINUNICODE</c> from protocol 4); Python 2's strings (<c>SHORT_BINSTRING</c>) and
/// integer dtype flags; <c>LONG_BINPUT</c>/<c>BINGET</c> memo references; <c>LONG1</c> for ints outside 32 bits. The
/// callables allowed are exactly those of Keras' own restricted unpickler (<c>keras.src.datasets.npz_utils</c>):
/// <c>numpy.ndarray</c>, <c>numpy.dtype</c> and <c>numpy.core.multiarray._reconstruct</c> (or
/// <c>numpy._core.multiarray._reconstruct</c>), and only in the roles above.
/// </para>
/// </remarks>
internal sealed class ObjectArrayPickle
{
    private enum Kind : byte { Int, Text, None, Bool, Tuple, List, Global, Dtype, Array }

    private enum GlobalKind { Reconstruct = 1, NdArray, Dtype }

    /// <summary>One value on the machine's stack: an int or bool inline, anything else by reference.</summary>
    private readonly record struct Value(Kind Kind, long Int = 0, object? Ref = null)
    {
        public override string ToString() => Kind switch
        {
            Kind.Int => Int.ToString(CultureInfo.InvariantCulture),
            Kind.Bool => Int != 0 ? "True" : "False",
            Kind.None => "None",
            Kind.Text => $"'{Ref}'",
            Kind.Global => $"the global {(GlobalKind)Int}",
            _ => $"a {Kind.ToString().ToLowerInvariant()}",
        };
    }

    /// <summary>A Python list; the common case, a list of ints that fit in 32 bits, is kept as plain ints.</summary>
    private sealed class PyList
    {
        public List<int> Ints { get; } = [];
        public List<Value>? Others { get; private set; }

        public int Count => Others?.Count ?? Ints.Count;

        public void Add(Value item)
        {
            if (Others is null && item.Kind == Kind.Int && item.Int is >= int.MinValue and <= int.MaxValue)
            {
                Ints.Add((int)item.Int);
                return;
            }
            if (Others is null)
            {
                Others = new List<Value>(Ints.Count + 1);
                foreach (int i in Ints) Others.Add(new Value(Kind.Int, i));
                Ints.Clear();
            }
            Others.Add(item);
        }
    }

    private sealed class DtypeObject(string descr)
    {
        public string Descr { get; } = descr;
        public bool HasState { get; set; }
    }

    private sealed class ArrayObject
    {
        public long[]? Shape { get; set; }
        public PyList? Data { get; set; }
    }

    private readonly byte[] _data;
    private readonly int _start;
    private readonly int _end;
    private readonly string _origin;
    private readonly List<Value> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<uint, Value> _memo = [];
    private int _position;
    private int _opcodeStart;
    private byte _opcode;

    private ObjectArrayPickle(byte[] data, int start, int end, string origin)
    {
        _data = data;
        _start = start;
        _position = start;
        _opcodeStart = start;
        _end = end;
        _origin = origin;
    }

    /// <summary>
    /// Reads the pickle in <paramref name="data"/>[<paramref name="start"/>..<paramref name="end"/>) (what follows an
    /// object array's <c>.npy</c> header) and returns its items, each a list of ints.
    /// </summary>
    /// <param name="data">The bytes of the <c>.npy</c> entry.</param>
    /// <param name="start">Where the pickle starts (after the header).</param>
    /// <param name="end">Where it ends (the end of the entry).</param>
    /// <param name="expectedShape">The shape in the <c>.npy</c> header, which the pickled array must have (1-D).</param>
    /// <param name="origin">The file and entry, for messages.</param>
    /// <exception cref="DatasetException">The bytes are not such a pickle; the message names the byte offset (from
    /// the start of the pickle) and what was found.</exception>
    internal static int[][] ReadIntLists(byte[] data, int start, int end, long[] expectedShape, string origin)
    {
        var machine = new ObjectArrayPickle(data, start, end, origin);
        var array = machine.Run();
        return machine.Items(array, expectedShape);
    }

    private ArrayObject Run()
    {
        if (_position >= _end || _data[_position] != 0x80)
            throw Fail(_position >= _end ? "the pickle is empty" : $"expected the PROTO opcode (0x80) first, found 0x{_data[_position]:x2}; NumPy pickles with protocol 2 or later");
        while (true)
        {
            _opcodeStart = _position;
            _opcode = ReadByte("an opcode");
            switch (_opcode)
            {
                case 0x80: // PROTO
                    if (_opcodeStart != _start) throw Fail("PROTO in the middle of the pickle");
                    byte protocol = ReadByte("the protocol number");
                    if (protocol is < 2 or > 5) throw Fail($"unsupported pickle protocol {protocol} (NumPy writes 2 to 5)");
                    break;
                case 0x95: // FRAME: a length prefix for buffering; the opcodes inside are read as usual
                    ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "the frame length"));
                    if (frame > (ulong)(_end - _position)) throw Fail($"a frame of {frame} bytes runs past the end of the data ({_end - _position} bytes left)");
                    break;
                case (byte)'c': // GLOBAL module\nname\n
                    Push(new Value(Kind.Global, (long)Allowed(ReadLine("the module name"), ReadLine("the global's name"))));
                    break;
                case 0x93: // STACK_GLOBAL
                    string name = PopText("the global's name"), module = PopText("the module name");
                    Push(new Value(Kind.Global, (long)Allowed(module, name)));
                    break;
                case (byte)'q': Memoize(ReadByte("the memo index")); break; // BINPUT
                case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "the memo index"))); break; // LONG_BINPUT
                case 0x94: Memoize((uint)_memo.Count); break; // MEMOIZE
                case (byte)'h': Recall(ReadByte("the memo index")); break; // BINGET
                case (byte)'j': Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "the memo index"))); break; // LONG_BINGET
                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)']': Push(new Value(Kind.List, 0, new PyList())); break; // EMPTY_LIST
                case (byte)'a': // APPEND
                    var item = Pop("the item to append");
                    TopList().Add(item);
                    break;
                case (byte)'e': // APPENDS
                    int from = PopMark();
                    var list = ListBelow(from);
                    for (int i = from; i < _stack.Count; i++) list.Add(_stack[i]);
                    _stack.RemoveRange(from, _stack.Count - from);
                    break;
                case (byte)')': Push(new Value(Kind.Tuple, 0, Array.Empty<Value>())); break; // EMPTY_TUPLE
                case (byte)'t': // TUPLE
                    int mark = PopMark();
                    var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
                    _stack.RemoveRange(mark, _stack.Count - mark);
                    Push(new Value(Kind.Tuple, 0, items));
                    break;
                case 0x85: PushTuple(1); break; // TUPLE1
                case 0x86: PushTuple(2); break; // TUPLE2
                case 0x87: PushTuple(3); break; // TUPLE3
                case (byte)'K': Push(new Value(Kind.Int, ReadByte("a 1-byte int"))); break; // BININT1
                case (byte)'M': Push(new Value(Kind.Int, BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "a 2-byte int")))); break; // BININT2
                case (byte)'J': Push(new Value(Kind.Int, BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a 4-byte int")))); break; // BININT
                case 0x8a: Push(new Value(Kind.Int, ReadLong1())); break; // LONG1
                case (byte)'N': Push(new Value(Kind.None)); break; // NONE
                case 0x88: Push(new Value(Kind.Bool, 1)); break; // NEWTRUE
                case 0x89: Push(new Value(Kind.Bool, 0)); break; // NEWFALSE
                case (byte)'U': PushText(ReadByte("a string length"), Encoding.Latin1); break; // SHORT_BINSTRING (Python 2 str)
                case (byte)'T': PushText(BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a string length")), Encoding.Latin1); break; // BINSTRING
                case (byte)'C': PushText(ReadByte("a bytes length"), Encoding.Latin1); break; // SHORT_BINBYTES
                case (byte)'B': PushText(BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a bytes length")), Encoding.Latin1); break; // BINBYTES
                case 0x8c: PushText(ReadByte("a string length"), Encoding.UTF8); break; // SHORT_BINUNICODE
                case (byte)'X': PushText(BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a string length")), Encoding.UTF8); break; // BINUNICODE
                case (byte)'R': Reduce(); break; // REDUCE
                case (byte)'b': Build(); break; // BUILD
                case (byte)'.': // STOP
                    if (_marks.Count > 0) throw Fail("STOP with an unclosed MARK");
                    if (_stack.Count != 1) throw Fail($"STOP with {_stack.Count} values on the stack instead of one array");
                    if (_position != _end) throw Fail($"{_end - _position} bytes follow the pickle's STOP");
                    var result = _stack[0];
                    if (result.Kind != Kind.Array || result.Ref is not ArrayObject { Data: not null } array)
                        throw Fail($"the pickle holds {result}, not a NumPy array with its contents");
                    return array;
                default:
                    throw Fail($"opcode 0x{_opcode:x2}{Printable(_opcode)} is not one NumPy uses to store an object array of lists of ints; refusing to read further");
            }
        }
    }

    /// <summary>The items of the rebuilt array, each a list of ints in int range, after checking its shape.</summary>
    private int[][] Items(ArrayObject array, long[] expectedShape)
    {
        long[] shape = array.Shape!;
        if (!shape.SequenceEqual(expectedShape))
            throw Bad($"the pickled array has shape {NpyHeader.Format(shape)}, the .npy header says {NpyHeader.Format(expectedShape)}");
        if (shape.Length != 1)
            throw Bad($"expected a 1-D array of sequences, found shape {NpyHeader.Format(shape)}");
        var data = array.Data!;
        var result = new int[data.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            var item = data.Others is null ? throw Bad($"item {i} of the array is an int, not a list of ints") : data.Others[i];
            if (item.Kind != Kind.List || item.Ref is not PyList sequence)
                throw Bad($"item {i} of the array is {item}, not a list of ints");
            if (sequence.Others is { } others)
            {
                int bad = others.FindIndex(v => v.Kind != Kind.Int || v.Int is < int.MinValue or > int.MaxValue);
                throw Bad($"item {i} of the array holds {others[bad]} at position {bad}; expected ints that fit in 32 bits");
            }
            result[i] = [.. sequence.Ints];
        }
        return result;
    }

    private GlobalKind Allowed(string module, string name) => (module, name) switch
    {
        ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct") => GlobalKind.Reconstruct,
        ("numpy", "ndarray") => GlobalKind.NdArray,
        ("numpy", "dtype") => GlobalKind.Dtype,
        _ => throw Fail($"refusing the global '{module}.{name}': a dataset's object array may only use numpy.ndarray, numpy.dtype and numpy.core.multiarray._reconstruct (the file may be corrupt or malicious)"),
    };

    /// <summary>REDUCE: the two calls an object array's pickle makes, <c>_reconstruct(ndarray, (0,), b'b')</c> and <c>dtype('O8', False, True)</c>.</summary>
    private void Reduce()
    {
        var args = Pop("the arguments of REDUCE");
        var callable = Pop("the callable of REDUCE");
        if (callable.Kind != Kind.Global)
            throw Fail($"REDUCE calls {callable}, which is not an allowed global");
        if (args.Kind != Kind.Tuple || args.Ref is not Value[] a)
            throw Fail($"REDUCE's arguments are {args}, not a tuple");
        switch ((GlobalKind)callable.Int)
        {
            case GlobalKind.Reconstruct:
                if (a.Length != 3 || a[0] is not { Kind: Kind.Global, Int: (long)GlobalKind.NdArray } || a[1].Kind != Kind.Tuple || a[2].Kind != Kind.Text)
                    throw Fail($"_reconstruct is called with ({string.Join(", ", a)}), not (numpy.ndarray, shape, dtype code)");
                Push(new Value(Kind.Array, 0, new ArrayObject()));
                break;
            case GlobalKind.Dtype:
                if (a.Length != 3 || a[0].Kind != Kind.Text || a[1].Kind is not (Kind.Bool or Kind.Int) || a[2].Kind is not (Kind.Bool or Kind.Int))
                    throw Fail($"numpy.dtype is called with ({string.Join(", ", a)}), not (type code, align, copy)");
                string descr = (string)a[0].Ref!;
                if (descr is not ("O8" or "O4" or "O"))
                    throw Fail($"the pickled array has dtype '{descr}'; only object arrays ('O8') of lists are read here");
                Push(new Value(Kind.Dtype, 0, new DtypeObject(descr)));
                break;
            default:
                throw Fail("REDUCE calls numpy.ndarray directly; NumPy rebuilds arrays through _reconstruct");
        }
    }

    /// <summary>BUILD: the dtype's state (accepted as is) and the array's state <c>(version, shape, dtype, fortran, items)</c>.</summary>
    private void Build()
    {
        var state = Pop("the state of BUILD");
        var target = Pop("the object of BUILD");
        if (state.Kind != Kind.Tuple || state.Ref is not Value[] s)
            throw Fail($"BUILD's state is {state}, not a tuple");
        switch (target.Ref)
        {
            case DtypeObject dtype when !dtype.HasState:
                // (3, '|', None, None, None, -1, -1, 63) for 'O8': byte order, field names, flags; nothing to apply.
                if (s.Any(v => v.Kind is not (Kind.Int or Kind.Text or Kind.None or Kind.Bool or Kind.Tuple)))
                    throw Fail("the dtype's state holds something other than plain values");
                dtype.HasState = true;
                break;
            case ArrayObject { Data: null } array:
                // NumPy writes (version, shape, dtype, is_fortran, data); older ones left out the version.
                var parts = s.Length == 5 && s[0] is { Kind: Kind.Int, Int: 1 } ? s[1..] : s;
                if (parts.Length != 4)
                    throw Fail($"the array's state has {s.Length} items, not (version, shape, dtype, fortran order, data)");
                if (parts[0].Kind != Kind.Tuple || parts[0].Ref is not Value[] dims || dims.Any(d => d.Kind != Kind.Int || d.Int < 0))
                    throw Fail($"the array's shape is {parts[0]}, not a tuple of sizes");
                if (parts[1].Ref is not DtypeObject)
                    throw Fail($"the array's dtype is {parts[1]}, not a dtype");
                if (parts[2].Kind is not (Kind.Bool or Kind.Int))
                    throw Fail($"the array's Fortran-order flag is {parts[2]}, not a bool");
                if (parts[3].Kind != Kind.List || parts[3].Ref is not PyList data)
                    throw Fail($"the array's data is {parts[3]}, not the list of objects NumPy writes for an object array");
                long[] shape = [.. dims.Select(d => d.Int)];
                long count = shape.Aggregate(1L, (x, y) => y == 0 || x <= long.MaxValue / y ? x * y : long.MaxValue);
                if (count != data.Count)
                    throw Fail($"the array's shape {NpyHeader.Format(shape)} holds {count} items, its data {data.Count}");
                array.Shape = shape;
                array.Data = data;
                break;
            default:
                throw Fail($"BUILD applies a state to {target}; only a dtype and an array get one, once");
        }
        Push(target);
    }

    private long ReadLong1()
    {
        int length = ReadByte("the length of a long");
        if (length > 8)
            throw Fail($"an int of {length} bytes; word indices fit in 8");
        var bytes = Take(length, "a long");
        if (length == 0)
            return 0;
        long value = bytes[^1] >= 0x80 ? -1L : 0L; // two's complement: sign-extend from the top byte
        for (int i = length - 1; i >= 0; i--)
            value = (value << 8) | bytes[i];
        return value;
    }

    private void PushText(long length, Encoding encoding)
    {
        if (length < 0 || length > _end - _position)
            throw Fail($"a string of {length} bytes runs past the end of the data ({_end - _position} bytes left)");
        Push(new Value(Kind.Text, 0, encoding.GetString(Take((int)length, "a string"))));
    }

    private string ReadLine(string what)
    {
        int newline = Array.IndexOf(_data, (byte)'\n', _position, Math.Min(_end - _position, 256));
        if (newline < 0)
            throw Fail($"{what} of GLOBAL is not ended by a newline within 256 bytes");
        string text = Encoding.UTF8.GetString(_data, _position, newline - _position);
        _position = newline + 1;
        return text;
    }

    private void PushTuple(int count)
    {
        if (_stack.Count - CurrentMarkFloor() < count)
            throw Fail($"TUPLE{count} needs {count} values on the stack");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        Push(new Value(Kind.Tuple, 0, items));
    }

    private void Memoize(uint index)
    {
        if (_stack.Count == CurrentMarkFloor())
            throw Fail("a memo store with nothing on the stack");
        _memo[index] = _stack[^1];
    }

    private void Recall(uint index) =>
        Push(_memo.TryGetValue(index, out var value) ? value : throw Fail($"memo entry {index} is read before it is stored"));

    private PyList TopList() =>
        _stack.Count > CurrentMarkFloor() && _stack[^1].Ref is PyList list ? list
        : throw Fail($"APPEND onto {(_stack.Count > CurrentMarkFloor() ? _stack[^1].ToString() : "nothing")}, not a list");

    private PyList ListBelow(int mark) =>
        mark > CurrentMarkFloor() && _stack[mark - 1].Ref is PyList list ? list
        : throw Fail($"APPENDS onto {(mark > CurrentMarkFloor() ? _stack[mark - 1].ToString() : "nothing")}, not a list");

    private int PopMark() => _marks.Count > 0 ? _marks.Pop() : throw Fail($"{OpcodeName()} without a MARK before it");

    private int CurrentMarkFloor() => _marks.Count > 0 ? _marks.Peek() : 0;

    private void Push(Value value) => _stack.Add(value);

    private Value Pop(string what)
    {
        if (_stack.Count == CurrentMarkFloor())
            throw Fail($"{what} is missing: the stack is empty{(_marks.Count > 0 ? " above the last MARK" : "")}");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private string PopText(string what)
    {
        var value = Pop(what);
        return value.Kind == Kind.Text ? (string)value.Ref! : throw Fail($"{what} of STACK_GLOBAL is {value}, not a string");
    }

    private byte ReadByte(string what) =>
        _position < _end ? _data[_position++] : throw Fail($"the data ends where {what} should be (truncated)");

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _end - _position)
            throw Fail($"the data ends inside {what} (truncated)");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private string OpcodeName() => _opcode switch
    {
        (byte)'e' => "APPENDS",
        (byte)'t' => "TUPLE",
        _ => $"opcode 0x{_opcode:x2}",
    };

    private static string Printable(byte opcode) => opcode is >= 0x20 and < 0x7f ? $" ('{(char)opcode}')" : "";

    private DatasetException Fail(string problem) =>
        new($"{_origin}: bad object-array pickle at byte {_opcodeStart - _start} (opcode 0x{_opcode:x2}): {problem}");

    private DatasetException Bad(string problem) => new($"{_origin}: {problem}");
}
