using Dendrite.Layers;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Models;

/// <summary>
/// <c>Model.Summary()</c> against Keras 3's table (KERAS-PARITY.md 1e): 88 columns, cells 38/29/17 wide between the
/// box characters, counts aligned right, totals with their float32 size.
/// </summary>
public class SummaryTests
{
    /// <summary>The dense tutorial model's summary, verbatim from Keras (KERAS-PARITY.md 1e).</summary>
    private const string DenseTutorial = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ dense (Dense)                        │ (None, 512)                 │         401,920 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_1 (Dense)                      │ (None, 10)                  │           5,130 │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 407,050 (1.55 MB)
         Trainable params: 407,050 (1.55 MB)
         Non-trainable params: 0 (0.00 B)

        """;

    /// <summary>Keras' MNIST convnet, written in the same format.</summary>
    private const string MnistConvnet = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ conv2d (Conv2D)                      │ (None, 26, 26, 32)          │             320 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d (MaxPooling2D)         │ (None, 13, 13, 32)          │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ conv2d_1 (Conv2D)                    │ (None, 11, 11, 64)          │          18,496 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ max_pooling2d_1 (MaxPooling2D)       │ (None, 5, 5, 64)            │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ flatten (Flatten)                    │ (None, 1600)                │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dropout (Dropout)                    │ (None, 1600)                │               0 │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense (Dense)                        │ (None, 10)                  │          16,010 │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 34,826 (136.04 KB)
         Trainable params: 34,826 (136.04 KB)
         Non-trainable params: 0 (0.00 B)

        """;

    private const string Unbuilt = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
        │ dense (Dense)                        │ ?                           │     0 (unbuilt) │
        ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
        │ dense_1 (Dense)                      │ ?                           │     0 (unbuilt) │
        └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
         Total params: 0 (0.00 B)
         Trainable params: 0 (0.00 B)
         Non-trainable params: 0 (0.00 B)

        """;

    private static Sequential Convnet() => new(
    [
        new InputLayer([28, 28, 1]),
        new Conv2D(32, 3, activation: "relu", name: "conv2d"),
        new MaxPooling2D(2, name: "max_pooling2d"),
        new Conv2D(64, 3, activation: "relu", name: "conv2d_1"),
        new MaxPooling2D(2, name: "max_pooling2d_1"),
        new Flatten(name: "flatten"),
        new Dropout(0.5, seed: 1, name: "dropout"),
        new Dense(10, activation: "softmax", name: "dense"),
    ], name: "sequential");

    private static Sequential DenseModel() => new(
        [new Dense(512, activation: "relu", name: "dense"), new Dense(10, activation: "softmax", name: "dense_1")], name: "sequential");

    private static void AssertTableWidths(string text, int width)
    {
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]); // ends with a newline
        foreach (var line in lines.Where(l => l.Length > 0 && "┏┃┡│├└".Contains(l[0])))
            Assert.True(line.Length == width, $"line of {line.Length} characters, not {width}: {line}");
    }

    [Fact]
    public void MnistConvnetSummaryIsKerasTable()
    {
        var model = Convnet();
        string text = model.SummaryText();
        Assert.Equal(MnistConvnet.ReplaceLineEndings("\n"), text);
        AssertTableWidths(text, 88);
        string? printed = null;
        model.Summary(printFn: s => printed = s);
        Assert.Equal(text, printed);
    }

    [Fact]
    public void DenseTutorialSummaryMatchesKerasVerbatim()
    {
        var model = DenseModel();
        model.Build(784);
        Assert.Equal(DenseTutorial.ReplaceLineEndings("\n"), model.SummaryText());
        // Compiling alone adds nothing (Keras adds optimizer parameters only once the optimizer is built).
        model.Compile(optimizer: new RMSprop(), loss: "sparse_categorical_crossentropy");
        Assert.Equal(DenseTutorial.ReplaceLineEndings("\n"), model.SummaryText());
    }

    [Fact]
    public void AfterFitTheOptimizerVariablesCountAsInKeras()
    {
        // KERAS-PARITY.md 1e: RMSprop holds iterations, the learning rate and one velocity per weight.
        var model = DenseModel();
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");
        var x = new NDArray<float>(TestData.Uniform(700, 4 * 784, 0, 1), 4, 784);
        model.Fit(x, new NDArray<int>([1, 2, 3, 4], 4), epochs: 1, verbose: 0);
        string footer = """
             Total params: 814,102 (3.11 MB)
             Trainable params: 407,050 (1.55 MB)
             Non-trainable params: 0 (0.00 B)
             Optimizer params: 407,052 (1.55 MB)

            """;
        string table = DenseTutorial.ReplaceLineEndings("\n");
        Assert.Equal(table[..table.IndexOf(" Total params", StringComparison.Ordinal)] + footer.ReplaceLineEndings("\n"), model.SummaryText());

        // SGD keeps momentums only when it has momentum.
        var plain = Convnet();
        plain.Compile(optimizer: new SGD(), loss: "sparse_categorical_crossentropy");
        Assert.DoesNotContain("Optimizer params", plain.SummaryText());
        var images = new NDArray<float>(TestData.Uniform(701, 2 * 28 * 28, 0, 1), 2, 28, 28, 1);
        plain.Fit(images, new NDArray<int>([3, 7], 2), verbose: 0);
        Assert.Contains(" Total params: 34,828 (136.05 KB)\n", plain.SummaryText());
        Assert.EndsWith(" Optimizer params: 2 (8.00 B)\n", plain.SummaryText());
        var momentum = Convnet();
        momentum.Compile(optimizer: new SGD(momentum: 0.9f), loss: "sparse_categorical_crossentropy");
        momentum.Fit(images, new NDArray<int>([3, 7], 2), verbose: 0);
        Assert.Contains(" Total params: 69,654 (272.09 KB)\n", momentum.SummaryText());
        Assert.EndsWith(" Optimizer params: 34,828 (136.05 KB)\n", momentum.SummaryText());
    }

    [Fact]
    public void UnbuiltModelShowsQuestionMarksAndUnbuiltCounts()
    {
        var model = DenseModel();
        Assert.False(model.Built);
        Assert.Equal(Unbuilt.ReplaceLineEndings("\n"), model.SummaryText());
    }

    [Fact]
    public void NumbersIgnoreTheCurrentCulture()
    {
        string text = "";
        TestData.WithCulture(TestData.CommaCulture(), () => text = Convnet().SummaryText());
        Assert.Equal(MnistConvnet.ReplaceLineEndings("\n"), text);
    }

    [Theory]
    [InlineData(0, "0.00 B")]
    [InlineData(1, "4.00 B")]
    [InlineData(255, "1020.00 B")]
    [InlineData(256, "1.00 KB")]
    [InlineData(288, "1.12 KB")] // 1.125 exactly: Python's format rounds the tie to even
    [InlineData(320, "1.25 KB")]
    [InlineData(34_826, "136.04 KB")]
    [InlineData(407_050, "1.55 MB")]
    [InlineData(268_435_456, "1.00 GB")]
    public void SizesFollowKerasReadableMemorySize(long parameters, string expected) =>
        Assert.Equal(expected, ModelSummary.Size(parameters));

    [Theory]
    [InlineData(60)]
    [InlineData(88)]
    [InlineData(120)]
    public void EveryTableLineHasTheRequestedWidth(int width)
    {
        string text = Convnet().SummaryText(width);
        AssertTableWidths(text, width);
        Assert.Contains("34,826", text);
        Assert.Contains("max_pooling2d_1", text); // (the type may wrap onto its own line in narrow tables)
        Assert.Contains("(MaxPooling2D)", text);
    }

    [Fact]
    public void LongNamesWrapInsideTheirCell()
    {
        var model = new Sequential([new InputLayer([4]), new Dense(3, name: "a_rather_long_layer_name_that_cannot_fit_in_its_cell")], name: "long");
        string text = model.SummaryText();
        AssertTableWidths(text, 88);
        var rows = text.Split('\n').Where(l => l.StartsWith('│')).ToList();
        Assert.True(rows.Count >= 2, text);
        Assert.Contains("(None, 3)", rows[0]);
        Assert.Contains("15", rows[0]);
        Assert.Contains("(Dense)", string.Join("", rows));
    }

    [Fact]
    public void TooNarrowLinesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseModel().SummaryText(39));
    }
}
