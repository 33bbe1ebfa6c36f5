using SkiaSharp;

namespace Dendrite.Plotting.Tests;

public sealed class MisclassifiedPlotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Eight 28 × 28 byte images, each a filled square of ink whose position depends on the sample, with labels 0..7;
    /// the predictions get samples 1, 4, 5 and 7 wrong.
    /// </summary>
    private static (NDArray<byte> Images, NDArray<int> Labels, NDArray<int> Predictions) Digits()
    {
        var pixels = new byte[8 * 28 * 28];
        for (int n = 0; n < 8; n++)
            for (int r = 6; r < 22; r++)
                for (int c = 2 + n; c < 14 + n; c++)
                    pixels[n * 784 + r * 28 + c] = 255;
        return (new NDArray<byte>(pixels, 8, 28, 28), new NDArray<int>([0, 1, 2, 3, 4, 5, 6, 7]), new NDArray<int>([0, 7, 2, 3, 1, 9, 6, 2]));
    }

    [Fact]
    public void Svg_titles_each_mistake_with_its_true_and_predicted_class_in_sample_order()
    {
        var (images, labels, predictions) = Digits();
        string path = _folder.File("wrong.svg");

        int drawn = Plots.PlotMisclassified(path, images, labels, predictions);

        Assert.Equal(4, drawn);
        var titles = FigureChecks.SvgTexts(path).Where(t => t.StartsWith("true ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["true 1 / pred 7", "true 4 / pred 1", "true 5 / pred 9", "true 7 / pred 2"], titles);
    }

    [Fact]
    public void Svg_embeds_each_picture_as_a_bitmap_kept_sharp_when_scaled()
    {
        var (images, labels, predictions) = Digits();
        string path = _folder.File("wrong.svg");

        Plots.PlotMisclassified(path, images, labels, predictions);

        var pictures = FigureChecks.Svg(path).Descendants().Where(e => e.Name.LocalName == "image").ToList();
        Assert.Equal(4, pictures.Count(e => e.Attribute("width")?.Value == "28" && e.Attribute("height")?.Value == "28"));
        // Without this a browser smooths a 28 × 28 digit scaled to 150 pixels into a blur.
        Assert.All(pictures, e => Assert.Equal("image-rendering:pixelated", e.Attribute("style")?.Value));
    }

    [Fact]
    public void Png_has_five_columns_at_most_and_shows_the_ink()
    {
        var (images, labels, predictions) = Digits();
        string path = _folder.File("wrong.png");

        Plots.PlotMisclassified(path, images, labels, predictions);

        Assert.Equal((4 * Plots.MisclassifiedCellWidth, Plots.MisclassifiedCellHeight), FigureChecks.PngSize(path));
        using var bitmap = FigureChecks.DecodePng(path);
        // Ink is dark on white (matplotlib's "binary" map): four squares of black pixels.
        Assert.True(FigureChecks.PixelsNear(bitmap, SKColors.Black, 10).Count > 4 * 1000, "the images' ink is missing or not black");
        Assert.True(FigureChecks.PixelsNear(bitmap, SKColors.White, 0).Count > bitmap.Width * bitmap.Height / 3, "the background is not white");
    }

    [Fact]
    public void Png_shows_an_image_the_right_way_up_and_round()
    {
        // One image with ink in its top-left quarter only (row 0 is the top, as in MNIST's files and imshow).
        var pixels = new byte[2 * 784];
        for (int r = 0; r < 14; r++)
            for (int c = 0; c < 14; c++)
                pixels[r * 28 + c] = 255;
        string path = _folder.File("corner.png");

        Plots.PlotMisclassified(path, new NDArray<byte>(pixels, 2, 28, 28), new NDArray<int>([3, 1]), new NDArray<int>([5, 1]));

        using var bitmap = FigureChecks.DecodePng(path);
        var ink = FigureChecks.PixelsNear(bitmap, SKColors.Black, 10);
        Assert.True(ink.Count > 1000, $"the ink is missing: {ink.Count} black pixels");
        // The title takes the top strip; the picture is the square below it, centred across the cell.
        int pictureTop = bitmap.Height - bitmap.Width;
        double centreX = bitmap.Width / 2.0, centreY = pictureTop + bitmap.Width / 2.0;
        Assert.True(ink.Average(p => p.X) < centreX, "the image is mirrored: its ink should be on the left");
        Assert.True(ink.Average(p => p.Y) < centreY, "the image is upside down: its ink should be at the top");
    }

    [Fact]
    public void At_most_max_images_are_drawn_in_rows_of_five()
    {
        var pixels = new byte[30 * 784];
        var labels = new NDArray<int>(new int[30]);
        var predictions = new NDArray<int>([.. Enumerable.Repeat(1, 30)]);
        string path = _folder.File("many.png");

        int drawn = Plots.PlotMisclassified(path, new NDArray<byte>(pixels, 30, 28, 28), labels, predictions, maxImages: 12);

        Assert.Equal(12, drawn);
        Assert.Equal((5 * Plots.MisclassifiedCellWidth, 3 * Plots.MisclassifiedCellHeight), FigureChecks.PngSize(path));
        // The last row has two pictures and three empty places, which are white page, not transparent.
        using var bitmap = FigureChecks.DecodePng(path);
        Assert.Equal(SKColors.White, bitmap.GetPixel(bitmap.Width - 10, bitmap.Height - 10));
    }

    [Fact]
    public void Flat_float_images_scores_and_class_names_are_accepted()
    {
        var (images, labels, _) = Digits();
        var flat = images.Reshape(8, 784).AsType<float>() / 255f;
        // Scores as Predict returns them: sample 3 is predicted as class 0, every other one correctly.
        var scores = new float[8 * 8];
        for (int n = 0; n < 8; n++) scores[n * 8 + (n == 3 ? 0 : n)] = 0.9f;
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven"];
        string path = _folder.File("names.svg");

        int drawn = Plots.PlotMisclassified(path, flat, labels, new NDArray<float>(scores, 8, 8), names);

        Assert.Equal(1, drawn);
        Assert.Contains("true three / pred zero", FigureChecks.SvgTexts(path));
    }

    [Fact]
    public void Images_with_a_channel_axis_are_accepted()
    {
        var (images, labels, predictions) = Digits();
        string path = _folder.File("channels.png");
        Assert.Equal(4, Plots.PlotMisclassified(path, images.Reshape(8, 28, 28, 1), labels.Reshape(8, 1), predictions));
        FigureChecks.PngSize(path);
    }

    [Fact]
    public void No_mistakes_gives_a_figure_that_says_so()
    {
        var (images, labels, _) = Digits();
        string path = _folder.File("none.svg");

        Assert.Equal(0, Plots.PlotMisclassified(path, images, labels, labels));

        Assert.Contains("No misclassified images among 8 samples.", FigureChecks.SvgTexts(path));
    }

    [Theory]
    [InlineData(new[] { 8, 783 })]
    [InlineData(new[] { 8, 28, 28, 3 })]
    [InlineData(new[] { 8 })]
    [InlineData(new[] { 8, 0, 28 })]
    public void Images_of_another_shape_are_refused_with_the_expected_and_given_shapes(int[] shape)
    {
        var (_, labels, predictions) = Digits();
        var images = new NDArray<byte>(new byte[shape.Aggregate(1, (a, b) => a * b)], shape);
        var error = Assert.Throws<ArgumentException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, labels, predictions));
        Assert.Contains(images.Shape.ToString(), error.Message);
        Assert.Equal("images", error.ParamName);
    }

    [Fact]
    public void Labels_of_another_length_are_refused_naming_both_counts()
    {
        var (images, _, predictions) = Digits();
        var error = Assert.Throws<ArgumentException>(() =>
            Plots.PlotMisclassified(_folder.File("x.png"), images, new NDArray<int>([0, 1, 2]), predictions));
        Assert.Contains("8 images (shape (8, 28, 28))", error.Message);
        Assert.Contains("3 labels (shape (3,))", error.Message);
    }

    [Fact]
    public void Predictions_of_another_length_are_refused_naming_both_counts()
    {
        var (images, labels, _) = Digits();
        var error = Assert.Throws<ArgumentException>(() =>
            Plots.PlotMisclassified(_folder.File("x.png"), images, labels, new NDArray<float>(new float[5 * 10], 5, 10)));
        Assert.Contains("8 images", error.Message);
        Assert.Contains("5 predictions (shape (5, 10))", error.Message);
    }

    [Fact]
    public void Labels_that_are_not_class_indices_are_refused_naming_the_sample()
    {
        var (images, _, predictions) = Digits();
        var fractional = new NDArray<float>([0, 1, 2, 3.5f, 4, 5, 6, 7]);
        var error = Assert.Throws<ArgumentException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, fractional, predictions));
        Assert.Contains("labels[3] is 3.5", error.Message);

        var negative = new NDArray<int>([0, 1, 2, 3, -4, 5, 6, 7]);
        error = Assert.Throws<ArgumentException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, negative, predictions));
        Assert.Contains("labels[4] is -4", error.Message);

        var scoresAsLabels = new NDArray<float>(new float[8 * 10], 8, 10);
        error = Assert.Throws<ArgumentException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, scoresAsLabels, predictions));
        Assert.Contains("Expected labels of shape (N,) or (N, 1), got (8, 10)", error.Message);
    }

    [Fact]
    public void A_class_without_a_name_is_refused_naming_the_sample()
    {
        var (images, labels, predictions) = Digits();
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven"];
        // Sample 5 is predicted as class 9, which has no name.
        var error = Assert.Throws<ArgumentException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, labels, predictions, names));
        Assert.Contains("prediction of sample 5 is class 9", error.Message);
        Assert.Contains("only 8 class names", error.Message);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_any_file_is_written()
    {
        var (images, labels, predictions) = Digits();
        Assert.Contains(".png or .svg", Assert.Throws<ArgumentException>(() =>
            Plots.PlotMisclassified(_folder.File("x.tiff"), images, labels, predictions)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, labels, predictions, maxImages: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plots.PlotMisclassified(_folder.File("x.png"), images, labels, predictions, width: 5));
        Assert.Throws<DirectoryNotFoundException>(() =>
            Plots.PlotMisclassified(Path.Combine(_folder.File("missing"), "x.png"), images, labels, predictions));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }
}
