using PureHDF;

namespace Dendrite.Saving;

/// <summary>
/// A Keras 3 weights store opened for reading with PureHDF: a <c>.weights.h5</c> file, or the
/// <c>model.weights.h5</c> member of a <c>.keras</c> zip. Every failure of the HDF5 reader becomes a
/// <see cref="WeightsFileException"/> that names the file.
/// </summary>
internal sealed class H5WeightsSource : IDisposable
{
    /// <summary>The member of a <c>.keras</c> archive that holds the weights.</summary>
    public const string KerasWeightsMember = "model.weights.h5";

    private readonly IDisposable _owner;
    private readonly IH5Group _root;

    private H5WeightsSource(IDisposable owner, IH5Group root, string description, long length)
    {
        (_owner, _root, Description, _length) = (owner, root, description, length);
    }

    /// <summary>The file for messages: <c>'a/b.weights.h5'</c> or <c>'a/b.keras' (member model.weights.h5)</c>.</summary>
    public string Description { get; }

    /// <summary>Opens a <c>.weights.h5</c> file.</summary>
    public static H5WeightsSource OpenH5(string path)
    {
        string description = $"'{path}'";
        var stream = File.OpenRead(path);
        return OpenStream(stream, description);
    }

    /// <summary>Opens the <c>model.weights.h5</c> member of the <c>.keras</c> zip at <paramref name="path"/>.</summary>
    public static H5WeightsSource OpenKerasArchive(string path)
    {
        try
        {
            using var zip = SafeZip.Open(File.OpenRead(path), $"'{path}'");
            return OpenKerasArchive(zip, $"'{path}'");
        }
        catch (ModelFormatException e) when (e is not WeightsFileException)
        {
            throw new WeightsFileException(e.Message, e); // LoadWeights reports every file problem as a weights-file error
        }
    }

    /// <summary>Opens the <c>model.weights.h5</c> member of an open <c>.keras</c> archive.</summary>
    internal static H5WeightsSource OpenKerasArchive(SafeZip zip, string description)
    {
        var bytes = zip.Read(KerasWeightsMember, KerasArchive.MaxWeightsBytes);
        if (bytes is null)
        {
            var names = zip.Names;
            string hint = names.Contains("model.weights.npz")
                ? " It was saved with weights_format=\"npz\", which Dendrite does not read; save it with Keras' default HDF5 weights."
                : "";
            throw new WeightsFileException($"{description} holds no {KerasWeightsMember}, so it has no weights to load. Its members: {(names.Count == 0 ? "none" : string.Join(", ", names))}.{hint}");
        }
        return OpenStream(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), $"{description} (member {KerasWeightsMember})");
    }

    internal static H5WeightsSource OpenStream(Stream stream, string description)
    {
        try
        {
            Hdf5LinkCheck.RefuseSymbolicLinks(stream, description);
            // Bounded re-reading: a cyclic structure in a hostile file ends in an exception, not a hang or a stack overflow.
            var file = H5File.Open(new ReadBudgetStream(stream, ReadBudgetStream.For(stream.Length)), leaveOpen: false);
            return new H5WeightsSource(file, file, description, stream.Length);
        }
        catch (Exception e) when (e is not WeightsFileException)
        {
            stream.Dispose();
            throw new WeightsFileException($"{description} is not a valid HDF5 file, so no weights can be read from it ({e.Message}).", e);
        }
    }

    /// <summary>The root group, for readers of other layouts (the legacy <c>.h5</c> model).</summary>
    internal IH5Group Root => _root;

    /// <summary>A string attribute of the object at <paramref name="path"/>, or null when absent.</summary>
    public string? StringAttribute(string path, string name) => Guard($"{path}@{name}", () =>
    {
        var obj = At(path);
        return obj.AttributeExists(name) ? ReadText(obj.Attribute(name)) : null;
    });

    private IH5Object At(string path) => path is "" or "/" ? _root : _root.Get(path);

    /// <summary>A list-of-strings attribute (h5py writes them as fixed- or variable-length string arrays), or null when absent.</summary>
    public string[]? StringListAttribute(string path, string name) => Guard($"{path}@{name}", () =>
    {
        var obj = At(path);
        if (!obj.AttributeExists(name)) return null;
        var attribute = obj.Attribute(name);
        if (!IsText(attribute)) return Array.Empty<string>(); // h5py writes an empty float64 array for "no weights"
        CheckElementCount(attribute, $"{path}@{name}");
        return attribute.Read<string[]>();
    });

    // h5py writes a scalar variable-length string; PureHDF reads such an attribute as a one-element array.
    private string ReadText(IH5Attribute attribute)
    {
        if (!IsText(attribute)) throw new WeightsFileException($"the attribute '{attribute.Name}' holds {attribute.Type.Class} values, not text.");
        CheckElementCount(attribute, attribute.Name);
        return attribute.Read<string[]>() is [var first, ..] ? first : "";
    }

    // Fixed-length strings have the class String; h5py's variable-length ones VariableLength.
    private static bool IsText(IH5Attribute attribute) => attribute.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength;

    private readonly long _length;

    /// <summary>
    /// Refuses a string attribute claiming more elements than the file could hold (each takes at least 16 bytes of the
    /// file): PureHDF would otherwise decode, say, 2⁴⁰ of them one by one (a hang found by fuzzing).
    /// </summary>
    private void CheckElementCount(IH5Attribute attribute, string where)
    {
        double count = attribute.Space.Dimensions.Aggregate(1.0, (a, d) => a * d);
        if (count > _length / 16.0 + 1)
            throw new WeightsFileException($"{Description}: the attribute '{where}' claims {count:G4} strings, more than the file's {_length:N0} bytes can hold; the file is corrupt or hostile.");
    }

    /// <summary>Whether a group exists at <paramref name="path"/> (e.g. <c>layers</c>).</summary>
    public bool GroupExists(string path) => Guard(path, () => _root.LinkExists(path) && _root.Get(path) is IH5Group);

    /// <summary>The names of the subgroups of the group at <paramref name="path"/>, sorted (empty when it is absent).</summary>
    public IReadOnlyList<string> SubgroupNames(string path) => Guard(path, () =>
        !GroupExists(path) ? [] : _root.Group(path).Children().OfType<IH5Group>().Select(g => g.Name).Order(StringComparer.Ordinal).ToList());

    /// <summary>The names of the groups at the root, for messages.</summary>
    public IReadOnlyList<string> RootNames() => Guard("/", () => _root.Children().Select(c => c.Name).Order(StringComparer.Ordinal).ToList());

    /// <summary>The datasets <c>0</c>, <c>1</c>, … of the variables group at <paramref name="path"/>; null when there is no such group.</summary>
    public IReadOnlyList<StoredVariable>? Variables(string path) => Guard(path, () =>
    {
        if (!GroupExists(path)) return null;
        var datasets = new List<StoredVariable>();
        foreach (var child in _root.Group(path).Children())
        {
            if (child is not IH5Dataset dataset) continue;
            if (!KerasLayout.TryParseIndex(child.Name, out int index))
                throw new WeightsFileException($"{Description}: the variables group '{path}' holds a dataset named '{child.Name}'; Keras names them 0, 1, 2, ….");
            datasets.Add(new StoredVariable(this, $"{path}/{child.Name}", index, dataset));
        }
        datasets.Sort((a, b) => a.Index.CompareTo(b.Index));
        for (int i = 0; i < datasets.Count; i++)
            if (datasets[i].Index != i)
                throw new WeightsFileException($"{Description}: the variables group '{path}' has datasets {string.Join(", ", datasets.Select(d => d.Index))}; Keras numbers them 0 to {datasets.Count - 1} without gaps.");
        return (IReadOnlyList<StoredVariable>)datasets;
    });

    /// <summary>Runs a read of the HDF5 file, turning the reader's failures into a message that names the file and the object.</summary>
    internal T Guard<T>(string objectPath, Func<T> read)
    {
        try { return read(); }
        catch (OutOfMemoryException e)
        {
            // PureHDF sizes buffers from the file's own claims (a global heap object of 2^31+ bytes): the file is at fault.
            throw new WeightsFileException($"{Description} could not be read at '{objectPath}': the HDF5 file claims an object larger than can be allocated; it is corrupt or hostile ({e.Message}).", e);
        }
        catch (Exception e) when (e is not WeightsFileException)
        {
            throw new WeightsFileException($"{Description} could not be read at '{objectPath}': the HDF5 file is damaged or truncated ({e.Message}).", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _owner.Dispose();
}

/// <summary>One dataset <c>…/vars/&lt;i&gt;</c> of a weights file: its shape and element type, read on demand.</summary>
internal sealed class StoredVariable
{
    private readonly H5WeightsSource _source;
    private readonly IH5Dataset _dataset;

    internal StoredVariable(H5WeightsSource source, string path, int index, IH5Dataset dataset)
    {
        (_source, _dataset, Path, Index) = (source, dataset, path, index);
        var dims = dataset.Space.Dimensions;
        // A header may claim any size: refuse more than an array can hold before anything is read or allocated.
        double elements = dims.Aggregate(1.0, (a, d) => a * d);
        if (dims.Any(d => d > int.MaxValue) || elements > Array.MaxLength)
            throw new WeightsFileException($"{source.Description}: '{path}' claims shape ({string.Join(", ", dims)}), {elements:G4} elements, more than Dendrite accepts for one weight ({Array.MaxLength:N0}); the file is corrupt or hostile.");
        Shape = dims.Select(d => (int)d).ToArray();
        DType = DescribeType(dataset);
    }

    /// <summary>The dataset's path in the file, e.g. <c>layers/dense/vars/0</c>.</summary>
    public string Path { get; }

    /// <summary>The position among the group's variables.</summary>
    public int Index { get; }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>The NumPy name of the element type (<c>float32</c>, <c>int64</c>, <c>bfloat16</c>, …).</summary>
    public string DType { get; }

    /// <summary>Whether the elements are floating-point numbers (float16/32/64 or Keras' bfloat16).</summary>
    public bool IsFloat => DType is "float16" or "float32" or "float64" or "bfloat16";

    /// <summary>Whether the elements are integers.</summary>
    public bool IsInteger => DType.StartsWith("int", StringComparison.Ordinal) || DType.StartsWith("uint", StringComparison.Ordinal);

    /// <summary>The values as float32, in C order.</summary>
    public float[] ReadFloats() => _source.Guard(Path, () =>
    {
        float[] values = DType switch
        {
            "float32" => _dataset.Read<float[]>(),
            "float64" => Array.ConvertAll(_dataset.Read<double[]>(), d => (float)d),
            "float16" => Array.ConvertAll(_dataset.Read<Half[]>(), h => (float)h),
            "bfloat16" => Array.ConvertAll(_dataset.Read<ushort[]>(), b => BitConverter.Int32BitsToSingle(b << 16)),
            _ => throw new WeightsFileException($"{_source.Description}: '{Path}' holds {DType} values, not floating-point weights."),
        };
        long expected = Shape.Aggregate(1L, (a, d) => a * d);
        if (values.Length != expected)
            throw new WeightsFileException($"{_source.Description}: '{Path}' of shape {KerasLayout.FormatShape(Shape)} gave {values.Length} values instead of {expected}.");
        return values;
    });

    /// <summary>The value of a scalar integer dataset (the optimizer's iteration count).</summary>
    public long ReadInteger() => _source.Guard(Path, () => DType switch
    {
        "int64" => _dataset.Read<long[]>()[0],
        "int32" => _dataset.Read<int[]>()[0],
        "uint64" => checked((long)_dataset.Read<ulong[]>()[0]),
        "uint32" => _dataset.Read<uint[]>()[0],
        _ => throw new WeightsFileException($"{_source.Description}: '{Path}' holds {DType} values, not an integer count."),
    });

    private static string DescribeType(IH5Dataset dataset)
    {
        var type = dataset.Type;
        switch (type.Class)
        {
            case H5DataTypeClass.FloatingPoint:
                return type.Size switch { 2 => "float16", 4 => "float32", 8 => "float64", _ => $"float{type.Size * 8}" };
            case H5DataTypeClass.FixedPoint:
                // Keras stores bfloat16 variables as their 16-bit patterns with the attribute dtype="bfloat16".
                if (type.Size == 2 && dataset.AttributeExists("dtype") && ReadString(dataset.Attribute("dtype")) == "bfloat16") return "bfloat16";
                return (type.FixedPoint.IsSigned ? "int" : "uint") + (type.Size * 8);
            default:
                return type.Class.ToString();
        }
    }

    private static string? ReadString(IH5Attribute attribute)
    {
        try { return attribute.Read<string>(); }
        catch (Exception) { return null; }
    }
}
