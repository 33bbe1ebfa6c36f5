using SkiaSharp;

namespace Dendrite.Plotting.Tests;

public sealed class HistoryPlotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Four epochs of loss and accuracy with their validation values, as Fit(validationSplit: …) logs them.</summary>
    internal static History LossAndAccuracy(int epochs = 4)
    {
        var history = new History();
        for (int e = 0; e < epochs; e++)
        {
            history.Add(e, new Dictionary<string, double>
            {
                ["loss"] = 0.6 / (e + 1),
                ["accuracy"] = 0.80 + 0.04 * e,
                ["val_loss"] = 0.7 / (e + 1) + 0.05,
                ["val_accuracy"] = 0.78 + 0.03 * e,
            });
        }
        return history;
    }

    [Fact]
    public void Png_has_one_panel_per_quantity_side_by_side_at_the_default_size()
    {
        string path = _folder.File("curves.png");
        LossAndAccuracy().Plot(path);

        Assert.Equal((2 * Plots.HistoryPanelWidth, Plots.HistoryPanelHeight), FigureChecks.PngSize(path));
        Assert.Empty(_folder.Leftovers());
    }

    [Fact]
    public void Png_draws_both_curves_in_their_colours_and_the_titles_as_real_text()
    {
        string path = _folder.File("curves.png");
        LossAndAccuracy().Plot(path, width: 900, height: 360);

        Assert.Equal((900, 360), FigureChecks.PngSize(path));
        using var bitmap = FigureChecks.DecodePng(path);
        // matplotlib's tab:blue for training and tab:orange for validation, as lines and markers.
        Assert.True(FigureChecks.PixelsNear(bitmap, new SKColor(0x1f, 0x77, 0xb4), 12).Count > 300, "the training curve's blue is missing");
        Assert.True(FigureChecks.PixelsNear(bitmap, new SKColor(0xff, 0x7f, 0x0e), 12).Count > 300, "the validation curve's orange is missing");
        // The titles are drawn in the top strip: without a usable font it would stay blank.
        Assert.True(FigureChecks.DarkPixels(bitmap, 0, 30) > 100, "no title text was drawn (is a font installed? apt-get install fonts-dejavu-core)");
    }

    [Fact]
    public void Svg_has_the_keras_tutorial_titles_axis_labels_legend_and_epochs_from_one()
    {
        string path = _folder.File("curves.svg");
        LossAndAccuracy(epochs: 5).Plot(path);

        var texts = FigureChecks.SvgTexts(path);
        Assert.Contains("Training and validation loss", texts);
        Assert.Contains("Training and validation accuracy", texts);
        Assert.Equal(2, texts.Count(t => t == "Epoch"));
        Assert.Contains("Loss", texts);
        Assert.Contains("Accuracy", texts);
        foreach (var legend in new[] { "Training loss", "Validation loss", "Training accuracy", "Validation accuracy" })
            Assert.Contains(legend, texts);
        // Epochs are numbered 1 to 5 (whole numbers only), never from 0.
        foreach (var epoch in new[] { "1", "2", "3", "4", "5" })
            Assert.True(texts.Count(t => t == epoch) >= 2, $"epoch {epoch} is not on both x axes");
        Assert.DoesNotContain("0", texts);
        Assert.DoesNotContain("1.5", texts);
    }

    [Fact]
    public void More_than_two_quantities_are_laid_out_two_to_a_row_with_loss_first()
    {
        var history = new History();
        for (int e = 0; e < 3; e++)
            history.Add(e, new Dictionary<string, double>
            {
                ["loss"] = 1.0 / (e + 1), ["digit_accuracy"] = 0.5 + 0.1 * e, ["size_loss"] = 2.0 / (e + 1), ["val_size_loss"] = 2.5 / (e + 1),
            });
        string png = _folder.File("three.png"), svg = _folder.File("three.svg");
        history.Plot(png);
        history.Plot(svg);

        Assert.Equal((2 * Plots.HistoryPanelWidth, 2 * Plots.HistoryPanelHeight), FigureChecks.PngSize(png));
        using (var bitmap = FigureChecks.DecodePng(png))
        {
            // The fourth place of the 2 × 2 grid has no panel: it is white page, not transparent.
            var corner = bitmap.GetPixel(bitmap.Width * 3 / 4, bitmap.Height * 3 / 4);
            Assert.Equal(SkiaSharp.SKColors.White, corner);
        }
        var texts = FigureChecks.SvgTexts(svg);
        // A quantity without validation values is titled by its name (also the y axis label) and has one legend entry.
        Assert.Equal(2, texts.Count(t => t == "Loss"));
        Assert.Contains("Training loss", texts);
        Assert.Equal(2, texts.Count(t => t == "Digit accuracy"));
        Assert.Contains("Training digit accuracy", texts);
        Assert.Contains("Training and validation size loss", texts);
        Assert.Contains("Validation size loss", texts);
        Assert.True(texts.IndexOf("Training loss") < texts.IndexOf("Training digit accuracy"), "loss must be the first panel");
        Assert.DoesNotContain("Validation loss", texts);
    }

    [Fact]
    public void Non_finite_values_are_left_out_instead_of_failing()
    {
        var history = new History();
        history.Add(0, new Dictionary<string, double> { ["loss"] = 0.5, ["val_loss"] = double.NaN });
        history.Add(1, new Dictionary<string, double> { ["loss"] = double.PositiveInfinity, ["val_loss"] = double.NaN });
        history.Add(2, new Dictionary<string, double> { ["loss"] = 0.3, ["val_loss"] = double.NaN });
        string path = _folder.File("nan.svg");

        history.Plot(path);

        Assert.Contains("Training loss", FigureChecks.SvgTexts(path));
    }

    [Fact]
    public void A_history_file_in_csvlogger_format_is_read_and_drawn_in_one_call()
    {
        string csv = _folder.File("history.csv");
        // Exactly what Keras' CSVLogger writes (keys in alphabetical order after the epoch).
        File.WriteAllText(csv, "epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.9,0.35,0.95,0.16\r\n1,0.96,0.13,0.97,0.11\r\n2,0.97,0.08,0.97,0.09\r\n");
        string svg = _folder.File("curves.svg");

        var history = Plots.PlotHistoryFile(csv, svg);

        Assert.Equal([0, 1, 2], history.Epoch);
        var texts = FigureChecks.SvgTexts(svg);
        Assert.Contains("Training and validation loss", texts);
        Assert.Contains("Validation accuracy", texts);
    }

    [Fact]
    public void A_json_history_saved_by_history_save_is_drawn_as_png()
    {
        string json = _folder.File("history.json");
        LossAndAccuracy().Save(json);
        string png = _folder.File("curves.png");

        Plots.PlotHistoryFile(json, png, width: 640, height: 300);

        Assert.Equal((640, 300), FigureChecks.PngSize(png));
    }

    [Fact]
    public void An_existing_figure_is_replaced_and_no_temporary_file_is_left()
    {
        string path = _folder.File("curves.png");
        File.WriteAllText(path, "old contents");

        LossAndAccuracy().Plot(path);

        FigureChecks.PngSize(path);
        Assert.Equal(["curves.png"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("curves.jpg")]
    [InlineData("curves")]
    [InlineData("curves.png.txt")]
    public void An_extension_other_than_png_or_svg_is_refused_naming_the_path(string name)
    {
        string path = _folder.File(name);
        var error = Assert.Throws<ArgumentException>(() => LossAndAccuracy().Plot(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(".png or .svg", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_empty_history_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new History().Plot(_folder.File("empty.png")));
        Assert.Contains("no epochs", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Theory]
    [InlineData(0, 400)]
    [InlineData(800, -1)]
    [InlineData(20_000, 400)]
    public void A_size_outside_16_to_16384_pixels_is_refused(int width, int height)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LossAndAccuracy().Plot(_folder.File("x.png"), width, height));
        Assert.Contains("16384", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        string folder = _folder.File("no-such-folder");
        var error = Assert.Throws<DirectoryNotFoundException>(() => LossAndAccuracy().Plot(Path.Combine(folder, "curves.png")));
        Assert.Contains(folder, error.Message);
    }

    [Fact]
    public void A_failed_rename_leaves_no_temporary_file()
    {
        string path = _folder.File("taken.png");
        Directory.CreateDirectory(path); // a folder where the figure should go: the final rename fails

        Assert.ThrowsAny<IOException>(() => LossAndAccuracy().Plot(path));

        Assert.Empty(_folder.Leftovers());
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void A_missing_history_file_is_named()
    {
        string csv = _folder.File("missing.csv");
        var error = Assert.Throws<FileNotFoundException>(() => Plots.PlotHistoryFile(csv, _folder.File("curves.png")));
        Assert.Contains(csv, error.Message);
    }

    [Fact]
    public void A_bad_image_name_is_refused_before_the_history_file_is_read()
    {
        // The history file does not exist either: the output name is checked first, so that is the error reported.
        string image = _folder.File("curves.gif");
        var error = Assert.Throws<ArgumentException>(() => Plots.PlotHistoryFile(_folder.File("missing.csv"), image));
        Assert.Contains(image, error.Message);
    }

    [Fact]
    public void A_history_file_that_is_not_a_history_is_reported_with_its_name()
    {
        string csv = _folder.File("bad.csv");
        File.WriteAllText(csv, "step,loss\n0,0.5\n");
        var error = Assert.Throws<FormatException>(() => Plots.PlotHistoryFile(csv, _folder.File("curves.png")));
        Assert.Contains(csv, error.Message);
        Assert.False(File.Exists(_folder.File("curves.png")));
    }
}
