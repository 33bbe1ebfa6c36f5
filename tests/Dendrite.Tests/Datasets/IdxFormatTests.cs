using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>IDX parsing and verification on a tiny synthetic dataset: every way a file can be wrong.</summary>
public sealed class IdxFormatTests : IDisposable
{
    private readonly TinyDataset _tiny = new();
    private readonly TempDir _temp = new();

    private IdxFileSpec Images => _tiny.Spec.TrainImages;
    private IdxFileSpec Labels => _tiny.Spec.TrainLabels;

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.Sub(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private DatasetException ReadFails(IdxFileSpec spec, byte[] bytes, bool gzipped = false, string? name = null)
    {
        string path = Write(name ?? spec.Name + (gzipped ? ".gz" : ""), bytes);
        var e = Assert.Throws<DatasetException>(() => IdxFormat.ReadFile(path, spec, gzipped));
        Assert.Contains(path, e.Message); // the message always names the file
        return e;
    }

    [Fact]
    public void ValidRawAndGzipFilesGiveThePayload()
    {
        byte[] raw = _tiny.Raw(Images.Name);
        Assert.Equal(_tiny.Payloads[Images.Name], IdxFormat.ReadFile(Write("a", raw), Images, gzipped: false));
        Assert.Equal(_tiny.Payloads[Images.Name], IdxFormat.ReadFile(Write("b.gz", TinyDataset.Gzip(raw)), Images, gzipped: true));
    }

    [Fact]
    public void FlippedPixelIsAChecksumMismatchNamingTheFile()
    {
        byte[] raw = _tiny.Raw(Images.Name);
        raw[100] ^= 0x01;
        var e = ReadFails(Images, raw);
        Assert.Contains($"checksum mismatch: expected sha256 {Images.Sha256}, got ", e.Message);
        Assert.Contains(IdxFormat.Sha256Hex(raw.AsSpan(0, 16), raw.AsSpan(16)), e.Message);
    }

    [Fact]
    public void StructurallyValidFileWithOtherContentIsAChecksumMismatch()
    {
        byte[] other = TinyDataset.Idx(true, 3, new byte[3 * 784]); // right magic, dims, count and length; wrong pixels
        var e = ReadFails(Images, other);
        Assert.Contains("checksum mismatch: expected sha256 " + Images.Sha256, e.Message);
    }

    [Fact]
    public void TruncatedFileSaysWhatTheHeaderPromisesAndWhatIsThere()
    {
        byte[] raw = _tiny.Raw(Images.Name);
        var e = ReadFails(Images, raw[..1000]);
        Assert.Contains("file truncated: header says 3 images = 2368 bytes, file has 1000", e.Message);
    }

    [Fact]
    public void FileShorterThanTheHeaderIsTruncated()
    {
        var e = ReadFails(Labels, _tiny.Raw(Labels.Name)[..5]);
        Assert.Contains("file truncated: 5 bytes, shorter than the 8-byte IDX header", e.Message);
    }

    [Fact]
    public void TrailingBytesAreReported()
    {
        byte[] raw = [.. _tiny.Raw(Labels.Name), 0];
        var e = ReadFails(Labels, raw);
        Assert.Contains($"file too long: header says 3 labels = 11 bytes, file has {raw.Length}", e.Message);
    }

    [Fact]
    public void BadMagicIsReportedWithExpectedAndFoundValues()
    {
        // a label file where an image file is expected, then random bytes
        var e = ReadFails(Images, _tiny.Raw(Labels.Name));
        Assert.Contains("bad magic at offset 0: expected 0x00000803", e.Message);
        Assert.Contains("found 0x00000801", e.Message);

        byte[] garbage = TinyDataset.Idx(false, 3, _tiny.Payloads[Labels.Name], magic: 0x1F8B0800);
        e = ReadFails(Labels, garbage);
        Assert.Contains("bad magic at offset 0: expected 0x00000801 (IDX1 unsigned bytes: labels), found 0x1F8B0800", e.Message);
    }

    [Fact]
    public void WrongImageDimensionsAreReported()
    {
        var e = ReadFails(Images, TinyDataset.Idx(true, 3, _tiny.Payloads[Images.Name], rows: 32, cols: 24));
        Assert.Contains("bad dimensions at offset 8: expected 28x28 images, header says 32x24", e.Message);
    }

    [Fact]
    public void CountDifferentFromTheDatasetIsReported()
    {
        var e = ReadFails(Labels, TinyDataset.Idx(false, 2, _tiny.Payloads[Labels.Name][..2]));
        Assert.Contains("wrong count at offset 4: expected 3 labels, header says 2", e.Message);
    }

    [Fact]
    public void LabelAboveNineIsReportedWithItsOffset()
    {
        byte[] labels = [.. _tiny.Payloads[Labels.Name]];
        labels[1] = 10;
        var e = ReadFails(Labels, TinyDataset.Idx(false, 3, labels));
        Assert.Contains("label out of range at offset 9: expected 0..9, found 10", e.Message);
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        byte[] gz = TinyDataset.Gzip(_tiny.Raw(Images.Name));
        gz[gz.Length / 2] ^= 0xFF;
        gz[gz.Length / 2 + 1] ^= 0xFF;
        var e = ReadFails(Images, gz, gzipped: true);
        Assert.True(e.Message.Contains("not a valid gzip stream", StringComparison.Ordinal) || e.Message.Contains("checksum mismatch", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void TruncatedGzipIsReported()
    {
        byte[] gz = TinyDataset.Gzip(_tiny.Raw(Images.Name));
        var e = ReadFails(Images, gz[..(gz.Length / 2)], gzipped: true);
        Assert.True(e.Message.Contains("file truncated", StringComparison.Ordinal) || e.Message.Contains("not a valid gzip stream", StringComparison.Ordinal), e.Message);
    }
}
