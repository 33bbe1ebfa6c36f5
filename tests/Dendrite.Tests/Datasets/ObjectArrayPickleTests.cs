using System.Security.Cryptography;
using System.Text;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// The reader of NumPy's object-array pickles: on bytes NumPy 1.24.2 / CPython 3.11 wrote (hex below, from
/// <c>np.save</c> and <c>pickle.dumps(a, protocol=N)</c>), on the test writer (proved byte-exact against them), and on
/// hostile or broken pickles, which must all end in a <see cref="DatasetException"/> naming the problem.
/// </summary>
public sealed class ObjectArrayPickleTests
{
    // np.save of a = [[1, 2, 300], [70000, 2**40], []] as an object array (NumPy 1.24.2, CPython 3.11).
    private const string NumPySmallNpy =
        "934e554d5059010076007b276465736372273a20277c4f272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d20" +
        "2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a" +
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b03857106" +
        "636e756d70790a64747970650a710758020000004f387108898887710952710a284b0358010000007c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d285d710e284b014b024d2c01655d710f" +
        "284a701101008a06000000000001655d711065747111622e";

    // np.save of [] (shape (0,)), [[5]] (one item: APPEND), and [l, l] for one list l = [7, 8] (the second is a BINGET).
    private const string NumPyEmptyPickle =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b00857106" +
        "636e756d70790a64747970650a710758020000004f387108898887710952710a284b0358010000007c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d74710e622e";
    private const string NumPyOnePickle =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b01857106" +
        "636e756d70790a64747970650a710758020000004f387108898887710952710a284b0358010000007c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d5d710e4b05616174710f622e";
    private const string NumPySharedPickle =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b02857106" +
        "636e756d70790a64747970650a710758020000004f387108898887710952710a284b0358010000007c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d285d710e284b074b0865680e6574710f622e";

    // pickle.dumps(a, protocol=N) for a = [[1, 2, 300], [70000], []].
    private const string Protocol3 =
        "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b03857106" +
        "636e756d70790a64747970650a710758020000004f387108898887710952710a284b0358010000007c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d285d710e284b014b024d2c01655d710f" +
        "4a70110100615d711065747111622e";
    private const string Protocol4 =
        "8004959e000000000000008c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294" +
        "284b014b03859468038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d94285d94284b014b024d2c01655d944a70110100615d94657494622e";
    private const string Protocol5 =
        "8005959e000000000000008c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294" +
        "284b014b03859468038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d94285d94284b014b024d2c01655d944a70110100615d94657494622e";
    // Python 3 at protocol 2 pickles bytes through _codecs.encode, which Keras' restricted unpickler refuses too.
    private const string Protocol2FromPython3 =
        "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103" +
        "580100000062710458060000006c6174696e317105867106527107877108527109284b014b0385710a636e756d70790a64747970650a710b58020000004f38710c898887710d52710e284b0358010000007c" +
        "710f4e4e4e4affffffff4affffffff4b3f749462895d7111285d7112284b014b024d2c01655d7113284a701101008a06000000000001655d711465747115622e";
    // The protocol-3 pickle as Python 2 wrote it: PROTO 2, str as SHORT_BINSTRING, dtype('O8', 0, 1) with ints
    // (checked loadable by CPython's pickle.loads(..., encoding='latin1')).
    private const string Python2Style =
        "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571025501627103877104527105284b014b03857106" +
        "636e756d70790a64747970650a710755024f3871084b004b0187710952710a284b0355017c710b4e4e4e4affffffff4affffffff4b3f74710c62895d710d285d710e284b014b024d2c01655d710f" +
        "4a70110100615d711065747111622e";

    private static readonly int[][] Expected = [[1, 2, 300], [70000], []];

    private static int[][] ReadPickle(byte[] pickle, long length) =>
        ObjectArrayPickle.ReadIntLists(pickle, 0, pickle.Length, [length], "test.npz [x.npy]");

    private static int[][] ReadNpy(byte[] npy)
    {
        using var stream = new MemoryStream(npy);
        var header = NpyHeader.Read(stream, "test.npz [x.npy]");
        Assert.Equal("|O", header.Descr);
        return ObjectArrayPickle.ReadIntLists(npy, (int)stream.Position, npy.Length, header.Shape, "test.npz [x.npy]");
    }

    private static DatasetException Refused(string hexOrNothing, byte[]? bytes = null, long length = 3) =>
        Assert.Throws<DatasetException>(() => ReadPickle(bytes ?? Convert.FromHexString(hexOrNothing), length));

    [Fact]
    public void TheTestWriterIsByteExactToNumPy()
    {
        Assert.Equal(NumPySmallNpy, Convert.ToHexStringLower(NumPyPickleWriter.ObjectArrayNpy([[1L, 2, 300], [70000, 1L << 40], []])));
        Assert.Equal(NumPyEmptyPickle, Convert.ToHexStringLower(NumPyPickleWriter.ObjectArrayPickle(Array.Empty<long[]>())));
        Assert.Equal(NumPyOnePickle, Convert.ToHexStringLower(NumPyPickleWriter.ObjectArrayPickle([[5L]])));
        Assert.Equal(Protocol3, Convert.ToHexStringLower(NumPyPickleWriter.ObjectArrayPickle([[1L, 2, 300], [70000L], []])));
    }

    /// <summary>
    /// 300 sequences, item j of sequence i = (131 i + 977 j) mod 100000, of length 7919 i mod 1500: several batches of
    /// 1000 appends, memo indices past 256 (LONG_BINPUT) and all three int widths. NumPy 1.24.2 writes 823,872 bytes
    /// with this SHA-256.
    /// </summary>
    [Fact]
    public void TheTestWriterMatchesNumPyOnALargeArray()
    {
        var items = LargeCase();
        byte[] npy = NumPyPickleWriter.ObjectArrayNpy(items);
        Assert.Equal(823872, npy.Length);
        Assert.Equal("f7c83c37b2b763e086ebe1f3f661d734a4f7dbc6c98dc00197c7455d16a2c37b", Convert.ToHexStringLower(SHA256.HashData(npy)));
        Assert.Equal(items, ReadNpy(npy));
    }

    internal static int[][] LargeCase() =>
        [.. Enumerable.Range(0, 300).Select(i => Enumerable.Range(0, i * 7919 % 1500).Select(j => (i * 131 + j * 977) % 100000).ToArray())];

    [Fact]
    public void ReadsWhatNumPyWrote()
    {
        Assert.Equal(Expected, ReadPickle(Convert.FromHexString(Protocol3), 3));
        Assert.Empty(ReadPickle(Convert.FromHexString(NumPyEmptyPickle), 0));
        Assert.Equal([[5]], ReadPickle(Convert.FromHexString(NumPyOnePickle), 1));
        Assert.Equal([[7, 8], [7, 8]], ReadPickle(Convert.FromHexString(NumPySharedPickle), 2));
    }

    [Theory]
    [InlineData(Protocol4)]
    [InlineData(Protocol5)]
    [InlineData(Python2Style)]
    public void ReadsOtherProtocolsAndPython2Pickles(string hex) => Assert.Equal(Expected, ReadPickle(Convert.FromHexString(hex), 3));

    /// <summary>NumPy 2 spells the module <c>numpy._core.multiarray</c>; both are accepted.</summary>
    [Fact]
    public void ReadsNumPy2sModuleName() =>
        Assert.Equal(Expected, ReadPickle(NumPyPickleWriter.ObjectArrayPickle([[1L, 2, 300], [70000L], []], "numpy._core.multiarray"), 3));

    [Fact]
    public void IntsBeyond32BitsAreRefusedByPosition()
    {
        var e = Assert.Throws<DatasetException>(() => ReadNpy(Convert.FromHexString(NumPySmallNpy)));
        Assert.Equal("test.npz [x.npy]: item 1 of the array holds 1099511627776 at position 1; expected ints that fit in 32 bits", e.Message);
    }

    [Fact]
    public void Protocol2FromPython3IsRefusedAsKerasRefusesIt()
    {
        var e = Refused(Protocol2FromPython3);
        Assert.Contains("refusing the global '_codecs.encode'", e.Message);
        Assert.StartsWith("test.npz [x.npy]: bad object-array pickle at byte 62 (opcode 0x63)", e.Message);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("numpy", "load")]
    public void ForeignGlobalsAreRefusedBeforeAnythingRuns(string module, string name)
    {
        // pickle.dumps of a __reduce__ gadget: PROTO 3, GLOBAL module name, 'echo pwned', TUPLE1, REDUCE, STOP.
        byte[] gadget = [0x80, 3, (byte)'c', .. Encoding.ASCII.GetBytes($"{module}\n{name}\n"), (byte)'X', 10, 0, 0, 0, .. Encoding.ASCII.GetBytes("echo pwned"), 0x85, (byte)'R', (byte)'.'];
        var e = Refused("", gadget);
        Assert.Contains($"refusing the global '{module}.{name}'", e.Message);
        Assert.Contains("the file may be corrupt or malicious", e.Message);
    }

    [Fact]
    public void StackGlobalIsCheckedToo()
    {
        // Protocol 4: SHORT_BINUNICODE 'os', SHORT_BINUNICODE 'system', STACK_GLOBAL.
        byte[] gadget = [0x80, 4, 0x8c, 2, (byte)'o', (byte)'s', 0x8c, 6, .. Encoding.ASCII.GetBytes("system"), 0x93, (byte)'.'];
        Assert.Contains("refusing the global 'os.system'", Refused("", gadget).Message);
    }

    [Theory]
    [InlineData((byte)'}', "opcode 0x7d ('}') is not one NumPy uses")]  // EMPTY_DICT
    [InlineData((byte)'I', "opcode 0x49 ('I') is not one NumPy uses")]  // INT (protocol 0)
    [InlineData((byte)0x8b, "opcode 0x8b is not one NumPy uses")]       // LONG4
    [InlineData((byte)0x81, "opcode 0x81 is not one NumPy uses")]       // NEWOBJ
    [InlineData((byte)'i', "opcode 0x69 ('i') is not one NumPy uses")]  // INST
    public void OtherOpcodesAreRefused(byte opcode, string message)
    {
        byte[] pickle = Convert.FromHexString(Protocol3);
        int at = Array.IndexOf(pickle, (byte)0x5d); // the first EMPTY_LIST
        pickle[at] = opcode;
        var e = Refused("", pickle);
        Assert.Contains(message, e.Message);
        Assert.Contains($"at byte {at}", e.Message);
    }

    [Fact]
    public void OtherDtypesAreRefused()
    {
        byte[] pickle = Convert.FromHexString(Protocol3);
        int at = IndexOf(pickle, "O8"u8);
        pickle[at] = (byte)'i';
        Assert.Contains("the pickled array has dtype 'i8'; only object arrays ('O8') of lists are read here", Refused("", pickle).Message);
    }

    [Fact]
    public void TheShapeMustMatchTheHeader()
    {
        var e = Assert.Throws<DatasetException>(() => ReadPickle(Convert.FromHexString(Protocol3), 4));
        Assert.Equal("test.npz [x.npy]: the pickled array has shape (3,), the .npy header says (4,)", e.Message);
    }

    [Fact]
    public void ItemsMustBeListsOfInts()
    {
        // An array whose items are ints, not lists: [[5]] with the inner list taken out, so the outer list holds 5.
        byte[] one = Convert.FromHexString(NumPyOnePickle);
        int at = IndexOf(one, [0x5d, 0x71, 0x0e, 0x4b, 0x05, 0x61, 0x61]);
        byte[] ints = [.. one[..at], 0x4b, 0x05, 0x61, .. one[(at + 7)..]];
        Assert.Equal("test.npz [x.npy]: item 0 of the array is an int, not a list of ints", Refused("", ints, 1).Message);

        // A list holding a string: replace the int 5 (BININT1 5) by SHORT_BINUNICODE 'x'.
        at = IndexOf(one, [0x4b, 0x05]);
        byte[] text = [.. one[..at], 0x8c, 1, (byte)'x', .. one[(at + 2)..]];
        Assert.Contains("item 0 of the array holds 'x' at position 0; expected ints that fit in 32 bits", Refused("", text, 1).Message);
    }

    [Fact]
    public void BytesAfterStopAreRefused()
    {
        byte[] pickle = [.. Convert.FromHexString(Protocol3), 0];
        Assert.Contains("1 bytes follow the pickle's STOP", Refused("", pickle).Message);
    }

    [Fact]
    public void AMemoReadBeforeItIsWrittenIsRefused()
    {
        byte[] pickle = Convert.FromHexString(NumPySharedPickle);
        int at = IndexOf(pickle, [0x68, 0x0e]);
        pickle[at + 1] = 0x7f;
        Assert.Contains("memo entry 127 is read before it is stored", Refused("", pickle, 2).Message);
    }

    [Fact]
    public void AMissingProtocolHeaderIsRefused()
    {
        Assert.Contains("expected the PROTO opcode (0x80) first", Refused("", [(byte)'.']).Message);
        Assert.Contains("the pickle is empty", Refused("", []).Message);
        Assert.Contains("unsupported pickle protocol 6", Refused("", [0x80, 6, (byte)'.']).Message);
    }

    /// <summary>Every truncation of a valid pickle fails with a <see cref="DatasetException"/>, never another exception.</summary>
    [Fact]
    public void EveryTruncationIsADatasetException()
    {
        byte[] pickle = Convert.FromHexString(Protocol4);
        for (int length = 0; length < pickle.Length; length++)
        {
            var e = Record.Exception(() => ObjectArrayPickle.ReadIntLists(pickle, 0, length, [3], "t"));
            Assert.True(e is DatasetException, $"length {length}: {e?.GetType().Name ?? "no exception"} {e?.Message}");
        }
    }

    /// <summary>Random byte changes (seeded) give a <see cref="DatasetException"/> or a valid result, never another exception or a hang.</summary>
    [Fact]
    public void CorruptedBytesNeverEscapeAsOtherExceptions()
    {
        var random = new Random(12345);
        byte[] original = NumPyPickleWriter.ObjectArrayPickle([.. LargeCase()[..40].Select(x => x.Select(v => (long)v).ToArray())]);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] pickle = [.. original];
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                pickle[random.Next(pickle.Length)] = (byte)random.Next(256);
            var e = Record.Exception(() => ObjectArrayPickle.ReadIntLists(pickle, 0, pickle.Length, [40], "t"));
            Assert.True(e is null or DatasetException, $"trial {trial}: {e?.GetType().Name}: {e?.Message}");
        }
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> pattern) => data.AsSpan().IndexOf(pattern);
}
