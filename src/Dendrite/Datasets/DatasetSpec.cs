using System.Buffers.Binary;

namespace Dendrite.Datasets;

/// <summary>One IDX file of a dataset: its canonical name, kind, element count and SHA-256 of the uncompressed bytes.</summary>
/// <param name="Name">Canonical file name without compression suffix, e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="IsImages">True for an IDX3 image file (N x 28 x 28), false for an IDX1 label file.</param>
/// <param name="Count">Number of images or labels.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole uncompressed IDX file (header included).</param>
/// <param name="NpzKey">Array name inside a Keras-style <c>.npz</c> (without <c>.npy</c>), e.g. <c>x_train</c>.</param>
internal sealed record IdxFileSpec(string Name, bool IsImages, int Count, string Sha256, string NpzKey)
{
    internal const int Rows = 28;
    internal const int Cols = 28;
    internal const uint ImagesMagic = 0x00000803;
    internal const uint LabelsMagic = 0x00000801;

    internal int HeaderLength => IsImages ? 16 : 8;
    internal int PayloadLength => IsImages ? checked(Count * Rows * Cols) : Count;
    internal long FileLength => HeaderLength + (long)PayloadLength;
    internal uint Magic => IsImages ? ImagesMagic : LabelsMagic;
    internal string ItemWord => IsImages ? "images" : "labels";
    internal int[] Shape => IsImages ? [Count, Rows, Cols] : [Count];

    /// <summary>The canonical IDX header for this file (what a valid file starts with).</summary>
    internal byte[] BuildHeader()
    {
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt32BigEndian(header, Magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Count);
        if (IsImages)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), Rows);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), Cols);
        }
        return header;
    }
}

/// <summary>A four-file IDX dataset (MNIST layout) and where it is cached.</summary>
/// <param name="DisplayName">Name used in messages, e.g. <c>MNIST</c>.</param>
/// <param name="CacheSubdirectory">Folder under <c>datasets/</c> in the Dendrite home, e.g. <c>mnist</c>.</param>
/// <param name="TrainImages">The training images (IDX3).</param>
/// <param name="TrainLabels">The training labels (IDX1).</param>
/// <param name="TestImages">The test images (IDX3).</param>
/// <param name="TestLabels">The test labels (IDX1).</param>
/// <param name="ManualHint">Extra sentence for the all-sources-failed message: where else the files can be had.</param>
internal sealed record DatasetSpec(
    string DisplayName,
    string CacheSubdirectory,
    IdxFileSpec TrainImages,
    IdxFileSpec TrainLabels,
    IdxFileSpec TestImages,
    IdxFileSpec TestLabels,
    string? ManualHint = null)
{
    /// <summary>The four files in load order.</summary>
    internal IReadOnlyList<IdxFileSpec> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}
