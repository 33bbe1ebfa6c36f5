using SkiaSharp;

namespace Dendrite.Plotting.Tests;

public sealed class ConfusionMatrixPlotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Row = true class, column = predicted class. The largest count sits in the bottom-left cell (true 2, predicted 0),
    // so that the picture's orientation is checked, not only its colours.
    private static NDArray<int> Matrix() => new([
        5, 1, 0,
        2, 9, 1,
        40, 3, 7], 3, 3);

    [Fact]
    public void Svg_writes_every_count_the_axis_titles_and_the_default_class_names()
    {
        string path = _folder.File("cm.svg");
        Matrix().PlotConfusionMatrix(path);

        var texts = FigureChecks.SvgTexts(path);
        Assert.Contains("Predicted label", texts);
        Assert.Contains("True label", texts);
        foreach (int count in Matrix().ToArray())
            Assert.Contains(count.ToString(System.Globalization.CultureInfo.InvariantCulture), texts);
        // Class names 0, 1, 2 on both axes; the counts 1 and 2 also appear as cell text.
        Assert.True(texts.Count(t => t == "0") >= 3, "class 0 must label both axes and the zero cell");
    }

    [Fact]
    public void Svg_shades_the_cell_of_the_largest_count_darkest()
    {
        string path = _folder.File("cm.svg");
        Matrix().PlotConfusionMatrix(path);

        // The cells are vector rectangles drawn row by row: the darkest fill must be the seventh (row 2, column 0).
        // Cell rectangles are the filled ones with a position (the background has none, clip rectangles have no fill).
        var fills = FigureChecks.Svg(path).Descendants()
            .Where(e => e.Name.LocalName == "rect" && e.Attribute("x") is not null && e.Attribute("fill") is not null)
            .Select(e => e.Attribute("fill")!.Value is var fill && fill == "white" ? SKColors.White : SKColor.Parse(fill))
            .ToList();
        var cells = fills.Take(9).ToList();
        Assert.Equal(9, cells.Count);
        int darkest = cells.IndexOf(cells.MinBy(c => c.Red + c.Green + c.Blue));
        Assert.Equal(6, darkest);
    }

    [Fact]
    public void Png_puts_the_darkest_cell_where_the_largest_count_is()
    {
        string path = _folder.File("cm.png");
        Matrix().PlotConfusionMatrix(path, width: 600, height: 500);

        Assert.Equal((600, 500), FigureChecks.PngSize(path));
        using var bitmap = FigureChecks.DecodePng(path);
        // The darkest blue in the picture (the colour bar's top end has it too: keep the pixels left of the bar).
        var blues = new List<(int X, int Y, SKColor Color)>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width * 7 / 10; x++)
                if (bitmap.GetPixel(x, y) is var p && p.Blue > p.Red + 40) blues.Add((x, y, p));
        Assert.NotEmpty(blues);
        var darkestBlue = blues.MinBy(b => b.Color.Red + b.Color.Green + b.Color.Blue).Color;
        var inMatrix = FigureChecks.PixelsNear(bitmap, darkestBlue, 6).Where(p => p.X < bitmap.Width * 7 / 10).ToList();
        Assert.True(inMatrix.Count > 1000, $"the cell of the largest count should be a large dark-blue square, found {inMatrix.Count} pixels");
        double meanX = inMatrix.Average(p => p.X), meanY = inMatrix.Average(p => p.Y);
        Assert.True(meanX < bitmap.Width * 0.4, $"the darkest cell should be in the first column (left), its centre is at x = {meanX:F0}");
        Assert.True(meanY > bitmap.Height * 0.55, $"the darkest cell should be in the last row (bottom), its centre is at y = {meanY:F0}");
    }

    [Fact]
    public void Class_names_label_the_axes_and_a_title_can_be_added()
    {
        string path = _folder.File("cm.svg");
        Matrix().PlotConfusionMatrix(path, ["T-shirt/top", "Trouser", "Pullover"], title: "Fashion-MNIST");

        var texts = FigureChecks.SvgTexts(path);
        Assert.Equal(2, texts.Count(t => t == "T-shirt/top"));
        Assert.Equal(2, texts.Count(t => t == "Pullover"));
        Assert.Contains("Fashion-MNIST", texts);
    }

    [Fact]
    public void The_default_size_grows_with_the_number_of_classes()
    {
        string small = _folder.File("small.png"), large = _folder.File("large.png");
        Matrix().PlotConfusionMatrix(small);
        var counts = new int[20 * 20];
        for (int i = 0; i < 20; i++) counts[i * 20 + i] = 100 + i;
        new NDArray<int>(counts, 20, 20).PlotConfusionMatrix(large);

        var (smallWidth, smallHeight) = FigureChecks.PngSize(small);
        var (largeWidth, largeHeight) = FigureChecks.PngSize(large);
        Assert.True(largeWidth > smallWidth && largeHeight > smallHeight);
    }

    [Fact]
    public void From_labels_and_predicted_scores_it_counts_with_utils_confusion_matrix()
    {
        var labels = new NDArray<int>([0, 1, 2, 2, 1]);
        var scores = new NDArray<float>([
            0.9f, 0.05f, 0.05f,
            0.1f, 0.8f, 0.1f,
            0.2f, 0.3f, 0.5f,
            0.6f, 0.2f, 0.2f,
            0.1f, 0.7f, 0.2f], 5, 3);
        string path = _folder.File("cm.svg");

        var matrix = Plots.PlotConfusionMatrix(path, labels, scores, ["cat", "dog", "bird"]);

        Assert.Equal(Utils.ConfusionMatrix(labels, scores).ToArray(), matrix.ToArray());
        Assert.Equal([1, 0, 0, 0, 2, 0, 1, 0, 1], matrix.ToArray());
        Assert.Contains("bird", FigureChecks.SvgTexts(path));
    }

    [Fact]
    public void All_zero_counts_are_drawn_without_dividing_by_zero()
    {
        string path = _folder.File("zeros.svg");
        new NDArray<int>(new int[4], 2, 2).PlotConfusionMatrix(path);
        // Four cells, the class 0 on each axis, and the bottom of the colour bar.
        Assert.Equal(4 + 2 + 1, FigureChecks.SvgTexts(path).Count(t => t == "0"));
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, "(2, 3)")]
    [InlineData(new[] { 4 }, "(4,)")]
    [InlineData(new[] { 0, 0 }, "(0, 0)")]
    public void A_matrix_that_is_not_square_is_refused_with_its_shape(int[] shape, string shown)
    {
        var matrix = new NDArray<int>(new int[shape.Aggregate(1, (a, b) => a * b)], shape);
        var error = Assert.Throws<ArgumentException>(() => matrix.PlotConfusionMatrix(_folder.File("cm.png")));
        Assert.Contains("square (n, n)", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Fact]
    public void A_negative_count_is_refused_naming_the_entry()
    {
        var matrix = new NDArray<int>([3, 0, -1, 4], 2, 2);
        var error = Assert.Throws<ArgumentException>(() => matrix.PlotConfusionMatrix(_folder.File("cm.png")));
        Assert.Contains("[1, 0] is -1", error.Message);
    }

    [Fact]
    public void The_wrong_number_of_class_names_is_refused_with_expected_and_got()
    {
        var error = Assert.Throws<ArgumentException>(() => Matrix().PlotConfusionMatrix(_folder.File("cm.png"), ["a", "b"]));
        Assert.Contains("Expected 3 class names", error.Message);
        Assert.Contains("got 2", error.Message);
        Assert.Equal("classNames", error.ParamName);
    }

    [Fact]
    public void A_null_class_name_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Matrix().PlotConfusionMatrix(_folder.File("cm.png"), ["a", null!, "c"]));
        Assert.Contains("Class name 1 is null", error.Message);
    }

    [Fact]
    public void A_bad_extension_is_refused_before_anything_is_counted()
    {
        string path = _folder.File("cm.bmp");
        // The labels and predictions disagree too: the path is checked first.
        var error = Assert.Throws<ArgumentException>(() =>
            Plots.PlotConfusionMatrix(path, new NDArray<int>([0, 1]), new NDArray<int>([0])));
        Assert.Contains(path, error.Message);
        Assert.Throws<ArgumentException>(() => Matrix().PlotConfusionMatrix(_folder.File("cm.pdf")));
    }

    [Fact]
    public void Labels_and_predictions_of_different_lengths_are_refused_by_utils_confusion_matrix()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Plots.PlotConfusionMatrix(_folder.File("cm.png"), new NDArray<int>([0, 1, 1]), new NDArray<int>([0, 1])));
        Assert.Contains("3 labels", error.Message);
        Assert.Contains("2 predictions", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_size_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Matrix().PlotConfusionMatrix(_folder.File("cm.png"), width: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Matrix().PlotConfusionMatrix(_folder.File("cm.png"), height: 100_000));
    }
}
