using System.IO.Compression;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>The <c>.npy</c>/<c>.npz</c> reader on arrays built as NumPy writes them.</summary>
public sealed class NpzFormatTests
{
    private readonly TinyDataset _tiny = new();

    private IdxFileSpec Images => _tiny.Spec.TrainImages;
    private IdxFileSpec Labels => _tiny.Spec.TrainLabels;

    private byte[] Read(IdxFileSpec spec, byte[] npy) => NpzFormat.ReadNpy(new MemoryStream(npy), spec, "test.npz [x.npy]");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ReadsUint8ArraysOfEitherHeaderVersion(int version)
    {
        Assert.Equal(_tiny.Payloads[Images.Name], Read(Images, Npy.Array(_tiny.Payloads[Images.Name], "(3, 28, 28)", version: version)));
        Assert.Equal(_tiny.Payloads[Labels.Name], Read(Labels, Npy.Array(_tiny.Payloads[Labels.Name], "(3,)", version: version)));
    }

    [Fact]
    public void RejectsOtherDtypes()
    {
        var e = Assert.Throws<DatasetException>(() => Read(Labels, Npy.Array(new byte[12], "(3,)", descr: "<i4")));
        Assert.Contains("test.npz [x.npy]: wrong dtype: expected '|u1' (uint8), found '<i4'", e.Message);
    }

    [Fact]
    public void RejectsFortranOrder()
    {
        var e = Assert.Throws<DatasetException>(() => Read(Images, Npy.Array(_tiny.Payloads[Images.Name], "(3, 28, 28)", fortran: true)));
        Assert.Contains("expected fortran_order False (C order), found True", e.Message);
    }

    [Fact]
    public void RejectsOtherShapes()
    {
        var e = Assert.Throws<DatasetException>(() => Read(Images, Npy.Array(_tiny.Payloads[Images.Name], "(3, 784)")));
        Assert.Contains("wrong shape: expected (3, 28, 28), found (3, 784)", e.Message);
    }

    [Fact]
    public void RejectsTruncatedData()
    {
        byte[] npy = Npy.Array(_tiny.Payloads[Images.Name], "(3, 28, 28)");
        var e = Assert.Throws<DatasetException>(() => Read(Images, npy[..^10]));
        Assert.Contains("array data truncated: shape (3, 28, 28) = 2352 bytes, entry has 2342", e.Message);
    }

    [Fact]
    public void RejectsBadMagic()
    {
        var e = Assert.Throws<DatasetException>(() => Read(Labels, _tiny.Raw(Labels.Name)));
        Assert.Contains("bad magic at offset 0", e.Message);
    }

    [Fact]
    public void VerifiesTheArrayAgainstTheIdxChecksum()
    {
        byte[] pixels = [.. _tiny.Payloads[Images.Name]];
        pixels[7] ^= 0x80;
        var e = Assert.Throws<DatasetException>(() => Read(Images, Npy.Array(pixels, "(3, 28, 28)")));
        Assert.Contains($"checksum mismatch: expected sha256 {Images.Sha256}", e.Message);
    }

    [Fact]
    public void MissingArrayNamesWhatTheArchiveHolds()
    {
        byte[] npz = Npy.Zip([("x_train", Npy.Array(_tiny.Payloads[Images.Name], "(3, 28, 28)"))]);
        using var zip = new ZipArchive(new MemoryStream(npz), ZipArchiveMode.Read);
        Assert.Equal(_tiny.Payloads[Images.Name], NpzFormat.ReadArray(zip, Images, "mnist.npz"));
        var e = Assert.Throws<DatasetException>(() => NpzFormat.ReadArray(zip, Labels, "mnist.npz"));
        Assert.Contains("mnist.npz: no array 'y_train' (y_train.npy) in the archive; it holds: x_train.npy", e.Message);
    }
}
