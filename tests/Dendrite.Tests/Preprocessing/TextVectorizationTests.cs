using System.Text.Json.Nodes;
using Dendrite.Layers;
using Dendrite.Saving;

namespace Dendrite.Tests.Preprocessing;

/// <summary>
/// <see cref="TextVectorization"/>: the cases of Keras' text_vectorization_test.py and the examples of Keras'
/// StringLookup and TextVectorization docstrings with their golden outputs, then TensorFlow's string rules, the
/// vocabulary rules, tf-idf and the config.
/// </summary>
public sealed class TextVectorizationTests
{
    private static float[][] Rows(NDArray<float> array)
    {
        int n = array.Shape[0], width = array.Shape[1];
        float[] values = array.ToArray();
        return [.. Enumerable.Range(0, n).Select(i => values[(i * width)..((i + 1) * width)])];
    }

    private static void AssertRows(float[][] expected, NDArray<float> actual, double tolerance = 0)
    {
        Assert.Equal(2, actual.Shape.Rank);
        var rows = Rows(actual);
        Assert.Equal(expected.Length, rows.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, rows[i].Length);
            for (int j = 0; j < expected[i].Length; j++)
                Assert.True(Math.Abs(expected[i][j] - rows[i][j]) <= tolerance, $"row {i} column {j}: expected {expected[i][j]}, got {rows[i][j]}");
        }
    }

    // ---- Keras' text_vectorization_test.py ----

    [Fact]
    public void AdaptFlow()
    {
        var layer = new TextVectorization(maxTokens: 5000, outputMode: "int", outputSequenceLength: 4);
        layer.Adapt(["foo bar", "bar baz", "baz bada boom"]);
        AssertRows([[4, 1, 3, 0], [1, 2, 0, 0]], layer.Call(["foo qux bar", "qux baz"]));
        // bar and baz twice, then the rest once; ties in reverse order of the tokens
        Assert.Equal(["", "[UNK]", "baz", "bar", "foo", "boom", "bada"], layer.GetVocabulary());
    }

    [Fact]
    public void FixedVocabulary()
    {
        var layer = new TextVectorization(maxTokens: 5000, outputMode: "int", outputSequenceLength: 4, vocabulary: ["baz", "bar", "foo"]);
        AssertRows([[4, 1, 3, 0], [1, 2, 0, 0]], layer.Call(["foo qux bar", "qux baz"]));
    }

    [Fact]
    public void SetVocabulary()
    {
        var layer = new TextVectorization(maxTokens: 5000, outputMode: "int", outputSequenceLength: 4);
        layer.SetVocabulary(["baz", "bar", "foo"]);
        AssertRows([[4, 1, 3, 0], [1, 2, 0, 0]], layer.Call(["foo qux bar", "qux baz"]));
    }

    [Theory]
    [InlineData("whitespace")]
    [InlineData(null)]
    public void StaticOutputSequenceLength(string? split)
    {
        var layer = new TextVectorization(maxTokens: 5000, outputSequenceLength: 4, split: split, vocabulary: ["baz", "bar", "foo"]);
        var output = split is null ? layer.Call(["foo", "baz"]) : layer.Call(["foo qux bar", "qux baz"]);
        Assert.Equal([2, 4], output.Shape.ToArray());
        if (split is null) AssertRows([[4, 0, 0, 0], [2, 0, 0, 0]], output);
    }

    /// <summary>Keras' ragged case, dense here: rows are padded to the longest text of the call, or cut to outputSequenceLength.</summary>
    [Fact]
    public void RaggedInputsArePaddedToTheLongest()
    {
        var layer = new TextVectorization(vocabulary: ["baz", "bar", "foo"]);
        AssertRows([[4, 1, 3], [1, 2, 0], [4, 0, 0]], layer.Call(["foo qux bar", "qux baz", "foo"]));
        var cut = new TextVectorization(vocabulary: ["baz", "bar", "foo"], outputSequenceLength: 2);
        AssertRows([[4, 1], [1, 2], [4, 0]], cut.Call(["foo qux bar", "qux baz", "foo"]));
    }

    [Fact]
    public void MultiHotOutput() =>
        AssertRows([[0, 1, 1, 0], [0, 1, 0, 1]], new TextVectorization(outputMode: "multi_hot", vocabulary: ["foo", "bar", "baz"]).Call(["foo bar", "baz foo foo"]));

    [Fact]
    public void CountOutput() =>
        AssertRows([[0, 1, 1, 0], [0, 2, 0, 1]], new TextVectorization(outputMode: "count", vocabulary: ["foo", "bar", "baz"]).Call(["foo bar", "baz foo foo"]));

    [Fact]
    public void TfIdfOutput() =>
        AssertRows([[0f, 0.3f, 0.5f, 0f], [0f, 0.6f, 0f, 0.2f]],
            new TextVectorization(outputMode: "tf_idf", vocabulary: ["foo", "bar", "baz"], idfWeights: [0.3f, 0.5f, 0.2f]).Call(["foo bar", "baz foo foo"]), 1e-7);

    [Fact]
    public void LowerAndStripPunctuationStandardization()
    {
        var layer = new TextVectorization(standardize: "lower_and_strip_punctuation", vocabulary: ["hello", "world", "this", "is", "nice", "test"]);
        var output = layer.Call(["Hello, World!. This is just a nice test!"]);
        Assert.Equal(8, output.Shape[1]);
        AssertRows([[2, 3, 4, 5, 1, 1, 6, 7]], output);
    }

    [Fact]
    public void LowerStandardization()
    {
        var layer = new TextVectorization(standardize: "lower", vocabulary: ["hello,", "hello", "world", "this", "is", "nice", "test"]);
        AssertRows([[2, 1, 5, 6, 1, 1, 7, 1]], layer.Call(["Hello, World!. This is just a nice test!"]));
    }

    [Fact]
    public void CharSplitting() =>
        AssertRows([[2, 3, 4, 1]], new TextVectorization(split: "character", vocabulary: ["a", "b", "c", "d", "e"]).Call(["abcf"]));

    /// <summary>The default standardization strips "|" before the custom split sees it, so "foo|bar" is the one token "foobar".</summary>
    [Fact]
    public void CustomSplitting() =>
        AssertRows([[4]], new TextVectorization(splitFunction: t => t.Split('|'), vocabulary: ["foo", "bar", "foobar"]).Call(["foo|bar"]));

    [Fact]
    public void StripPunctuationStandardization() =>
        AssertRows([[2, 3, 4]], new TextVectorization(standardize: "strip_punctuation", vocabulary: ["Hello", "World", "Test"]).Call(["Hello, World! Test."]));

    [Fact]
    public void NoStandardization() =>
        AssertRows([[2, 1]], new TextVectorization(standardize: null, vocabulary: ["Hello", "world"]).Call(["Hello hello"]));

    /// <summary>A custom standardization replaces the named one: nothing is lowercased or stripped besides what it does.</summary>
    [Fact]
    public void CustomStandardizeFunction() =>
        AssertRows([[2, 3]], new TextVectorization(standardizeFunction: t => t.Replace('-', ' '), vocabulary: ["foo", "bar"]).Call(["foo-bar"]));

    [Fact]
    public void NoSplit() =>
        AssertRows([[2], [3], [1]], new TextVectorization(split: null, vocabulary: ["foo", "bar", "baz"]).Call(["foo", "bar", "unknown"]));

    [Fact]
    public void NgramsInteger()
    {
        var layer = new TextVectorization(ngrams: 2);
        layer.Adapt(["foo bar baz"]);
        var vocabulary = layer.GetVocabulary();
        Assert.Contains("foo bar", vocabulary);
        Assert.Contains("bar baz", vocabulary);
        // all five occur once: reverse code-point order
        Assert.Equal(["", "[UNK]", "foo bar", "foo", "baz", "bar baz", "bar"], vocabulary);
        // unigrams first, then bigrams (tf.strings.ngrams groups by width)
        AssertRows([[3, 6, 4, 2, 5]], layer.Call(["foo bar baz"]));
    }

    [Fact]
    public void NgramsTuple()
    {
        var layer = new TextVectorization(ngramWidths: [1, 3]);
        layer.Adapt(["foo bar baz"]);
        var vocabulary = layer.GetVocabulary();
        Assert.Contains("foo", vocabulary);
        Assert.Contains("foo bar baz", vocabulary);
        Assert.DoesNotContain("foo bar", vocabulary);
    }

    [Fact]
    public void MaxTokens()
    {
        var layer = new TextVectorization(maxTokens: 5);
        layer.Adapt(["a b c d e f g h i j"]);
        Assert.Equal(["", "[UNK]", "j", "i", "h"], layer.GetVocabulary());
        var multi = new TextVectorization(maxTokens: 5, outputMode: "multi_hot");
        multi.Adapt(["a b c d e f g h i j"]);
        Assert.Equal(["[UNK]", "j", "i", "h", "g"], multi.GetVocabulary()); // one more learned token: no mask outside int mode
    }

    [Fact]
    public void PadToMaxTokens()
    {
        var layer = new TextVectorization(outputMode: "multi_hot", vocabulary: ["foo", "bar"], maxTokens: 8, padToMaxTokens: true);
        AssertRows([[0, 1, 1, 0, 0, 0, 0, 0]], layer.Call(["foo bar"]));
    }

    [Fact]
    public void GetVocabularyAndVocabularySize()
    {
        var layer = new TextVectorization(vocabulary: ["foo", "bar", "baz"]);
        Assert.Equal(["", "[UNK]", "foo", "bar", "baz"], layer.GetVocabulary());
        Assert.Equal(["foo", "bar", "baz"], layer.GetVocabulary(includeSpecialTokens: false));
        Assert.Equal(5, layer.VocabularySize());
        Assert.Equal(4, new TextVectorization(outputMode: "count", vocabulary: ["foo", "bar", "baz"]).VocabularySize());
    }

    /// <summary>Keras reads a vocabulary file line by line; here the lines are passed (a config never names a file).</summary>
    [Fact]
    public void VocabularyFromFileLines()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "foo\nbar\nbaz\n");
            var layer = new TextVectorization(vocabulary: File.ReadAllLines(path));
            AssertRows([[2, 3, 4, 1]], layer.Call(["foo bar baz unknown"]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OutputSequenceLengthWithNonIntModeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "multi_hot", outputSequenceLength: 5));
        Assert.StartsWith("`output_sequence_length` must not be set if `output_mode` is not", e.Message);
    }

    [Fact]
    public void InvalidArgumentsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new TextVectorization(ngrams: 0));
        Assert.Throws<ArgumentException>(() => new TextVectorization(ngramWidths: [1, -2]));
        Assert.Throws<ArgumentException>(() => new TextVectorization(ngrams: 2, ngramWidths: [1]));
        Assert.Contains("Received: standardize=upper", Assert.Throws<ArgumentException>(() => new TextVectorization(standardize: "upper")).Message);
        Assert.Contains("Received: split=comma", Assert.Throws<ArgumentException>(() => new TextVectorization(split: "comma")).Message);
        Assert.Contains("Received: output_mode=words", Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "words")).Message);
        Assert.Contains("one_hot", Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "one_hot")).Message);
        Assert.Contains("`max_tokens` must be greater than 1", Assert.Throws<ArgumentException>(() => new TextVectorization(maxTokens: 1)).Message);
        Assert.Contains("must set `max_tokens`", Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "count", padToMaxTokens: true)).Message);
        Assert.Contains("`idf_weights` should only be set", Assert.Throws<ArgumentException>(() => new TextVectorization(vocabulary: ["a"], idfWeights: [1f])).Message);
        Assert.Contains("the `idf_weights` argument must also be provided", Assert.Throws<ArgumentException>(() => new TextVectorization(outputMode: "tf_idf", vocabulary: ["a"])).Message);
        Assert.Throws<ArgumentException>(() => new TextVectorization(outputSequenceLength: 0));
    }

    [Fact]
    public void KerasOlderOutputModeNamesAreAccepted()
    {
        Assert.Equal("multi_hot", new TextVectorization(outputMode: "binary").OutputMode);
        Assert.Equal("tf_idf", new TextVectorization(outputMode: "tf-idf").OutputMode);
    }

    [Fact]
    public void AdaptWithAGenerator()
    {
        static IEnumerable<string> Texts()
        {
            yield return "hello world";
            yield return "foo bar";
            yield return "baz qux";
            yield return "hello foo";
        }
        var layer = new TextVectorization();
        layer.Adapt(Texts());
        Assert.Equal(["", "[UNK]", "hello", "foo", "world", "qux", "baz", "bar"], layer.GetVocabulary());
    }

    // ---- The examples of Keras' StringLookup docstring, through TextVectorization (no standardization, whitespace split). ----

    [Fact]
    public void StringLookupDocstringAdapt()
    {
        var layer = new TextVectorization(standardize: null);
        layer.Adapt(["a c d", "d z b"]);
        Assert.Equal(["", "[UNK]", "d", "z", "c", "b", "a"], layer.GetVocabulary()); // StringLookup: ['[UNK]', 'd', 'z', 'c', 'b', 'a']
        AssertRows([[6, 4, 2], [2, 3, 5]], layer.Call(["a c d", "d z b"]));     // StringLookup: [[5, 3, 1], [1, 2, 4]], shifted by the mask
    }

    [Fact]
    public void StringLookupDocstringMultiHotCountAndTfIdf()
    {
        string[] vocabulary = ["a", "b", "c", "d"];
        string[] data = ["a c d d", "d z b z"];
        AssertRows([[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]], new TextVectorization(standardize: null, outputMode: "multi_hot", vocabulary: vocabulary).Call(data));
        AssertRows([[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]], new TextVectorization(standardize: null, outputMode: "count", vocabulary: vocabulary).Call(data));
        // the OOV weight defaults to the average of the given weights (0.5)
        var tfidf = new TextVectorization(standardize: null, outputMode: "tf_idf");
        tfidf.SetVocabulary(vocabulary, [0.25f, 0.75f, 0.6f, 0.4f]);
        AssertRows([[0f, 0.25f, 0f, 0.6f, 0.8f], [1.0f, 0f, 0.75f, 0f, 0.4f]], tfidf.Call(data), 1e-7);
        // with the OOV token in front, its weight is given too
        tfidf.SetVocabulary(["[UNK]", .. vocabulary], [0.9f, 0.25f, 0.75f, 0.6f, 0.4f]);
        AssertRows([[0f, 0.25f, 0f, 0.6f, 0.8f], [1.8f, 0f, 0.75f, 0f, 0.4f]], tfidf.Call(data), 1e-7);
    }

    /// <summary>Adapted tf-idf: each text is a document, weight log(1 + 3 / (1 + documents with the token)), OOV the mean.</summary>
    [Fact]
    public void AdaptedTfIdfWeights()
    {
        var layer = new TextVectorization(maxTokens: 100, outputMode: "tf_idf");
        layer.Adapt(["foo bar", "bar baz", "baz bada boom"]);
        Assert.Equal(["[UNK]", "baz", "bar", "foo", "boom", "bada"], layer.GetVocabulary());
        double twice = Math.Log(1 + 3.0 / 3), once = Math.Log(1 + 3.0 / 2);
        double oov = (2 * (float)twice + 3 * (float)once) / 5;
        AssertRows([[(float)oov, 0, (float)twice, (float)once, 0, 0], [0, (float)twice, (float)twice, 0, 0, 0]],
            layer.Call(["foo qux bar", "bar baz"]), 1e-6);
        Assert.Equal((float)Math.Log(2), Rows(layer.Call(["bar"]))[0][2]);
        Assert.Equal((float)Math.Log(2.5), Rows(layer.Call(["foo"]))[0][3]);
        // counts multiply the weight
        Assert.Equal(2 * (float)Math.Log(2.5), Rows(layer.Call(["foo foo"]))[0][3]);
    }

    // ---- TensorFlow's string rules ----

    [Fact]
    public void LowercasingIsAsciiOnlyAsTensorFlowsDefault()
    {
        var layer = new TextVectorization(standardize: "lower", vocabulary: ["x"]);
        Assert.Equal(["École", "école", "straße"], layer.Preprocess("ÉCOLE école STRAßE"));
    }

    [Fact]
    public void StripPunctuationRemovesExactlyTheAsciiPunctuation()
    {
        var layer = new TextVectorization(standardize: "strip_punctuation", split: null, vocabulary: ["x"]);
        Assert.Equal(["abc"], layer.Preprocess("a!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~b c".Replace(" ", "")));
        Assert.Equal(["«hi» — ¿qué ¡sí"], layer.Preprocess("«hi» — ¿qué? ¡sí!"));
        Assert.Equal(32, Enumerable.Range(0, 128).Count(c => TextSplitting.IsPunctuation((char)c)));
    }

    [Fact]
    public void WhitespaceSplitIsAsciiWhitespace()
    {
        var layer = new TextVectorization(standardize: null, vocabulary: ["x"]);
        Assert.Equal(["a\u00a0b", "c", "d"], layer.Preprocess("  a\u00a0b\tc\n\r\v\fd "));
        Assert.Empty(layer.Preprocess(" \t\n"));
    }

    [Fact]
    public void CharacterSplitKeepsSurrogatePairsTogether()
    {
        var layer = new TextVectorization(standardize: null, split: "character", vocabulary: ["x"]);
        Assert.Equal(["a", "😀", "b", " "], layer.Preprocess("a😀b "));
        Assert.Equal(["\ufffd"], layer.Preprocess("\ud800")); // a lone surrogate has no UTF-8 form
    }

    /// <summary>Ties are broken in reverse order of the UTF-8 bytes (code points), not of .NET's UTF-16 ordinal order.</summary>
    [Fact]
    public void TiesFollowCodePointOrder()
    {
        var layer = new TextVectorization(standardize: null);
        layer.Adapt(["\ue000 😀 b B a"]);
        Assert.Equal(["", "[UNK]", "😀", "\ue000", "b", "a", "B"], layer.GetVocabulary());
        Assert.True(string.CompareOrdinal("😀", "\ue000") < 0); // UTF-16 order would put them the other way
    }

    [Fact]
    public void TheMaskTokenIsZeroInIntModeAndDroppedOtherwise()
    {
        var ints = new TextVectorization(split: null, vocabulary: ["a"]);
        AssertRows([[0], [2], [1]], ints.Call(["", "a", "b"]));
        var multi = new TextVectorization(split: null, outputMode: "count", vocabulary: ["a"]);
        AssertRows([[0, 0], [0, 1], [1, 0]], multi.Call(["", "a", "b"]));
    }

    [Fact]
    public void EmptyTextsGiveEmptyOrPaddedRows()
    {
        var layer = new TextVectorization(vocabulary: ["a"]);
        Assert.Equal([2, 0], layer.Call(["", " "]).Shape.ToArray());
        Assert.Equal([0, 0], layer.Call([]).Shape.ToArray());
        AssertRows([[0, 0, 0]], new TextVectorization(vocabulary: ["a"], outputSequenceLength: 3).Call([""]));
    }

    [Fact]
    public void NgramsWithoutSplitAreTheWholeText()
    {
        var layer = new TextVectorization(split: null, ngrams: 2);
        layer.Adapt(["a b", "c"]);
        Assert.Equal(["", "[UNK]", "c", "a b"], layer.GetVocabulary());
    }

    // ---- Vocabulary rules ----

    [Fact]
    public void ReservedTokensAtTheFrontAreRecognised()
    {
        var layer = new TextVectorization(vocabulary: ["", "[UNK]", "a", "b"]);
        Assert.Equal(["", "[UNK]", "a", "b"], layer.GetVocabulary());
        // "[UNK]" elsewhere is an ordinary token, as in Keras (only an inverting lookup refuses it)
        Assert.Equal(["", "[UNK]", "a", "[UNK]"], new TextVectorization(vocabulary: ["a", "[UNK]"]).GetVocabulary());
        Assert.Equal(["[UNK]", "a"], new TextVectorization(outputMode: "multi_hot", vocabulary: ["[UNK]", "a"]).GetVocabulary());
    }

    [Fact]
    public void BadVocabulariesAreRefused()
    {
        var layer = new TextVectorization(maxTokens: 4);
        Assert.Contains("Cannot set an empty vocabulary", Assert.Throws<ArgumentException>(() => layer.SetVocabulary([])).Message);
        Assert.Contains("The repeated terms are: ['a']", Assert.Throws<ArgumentException>(() => layer.SetVocabulary(["a", "b", "a"])).Message);
        Assert.Contains("Found reserved mask token at unexpected location", Assert.Throws<ArgumentException>(() => layer.SetVocabulary(["a", ""])).Message);
        Assert.Contains("Received vocabulary size is 5; `max_tokens` is 4", Assert.Throws<ArgumentException>(() => layer.SetVocabulary(["a", "b", "c"])).Message);
        Assert.Contains("`idf_weights` must be the same length as vocabulary", Assert.Throws<ArgumentException>(() =>
            new TextVectorization(outputMode: "tf_idf").SetVocabulary(["a", "b"], [1f])).Message);
    }

    [Fact]
    public void AFixedVocabularyCannotBeAdapted()
    {
        var layer = new TextVectorization(vocabulary: ["a"]);
        Assert.Contains("Cannot adapt layer", Assert.Throws<InvalidOperationException>(() => layer.Adapt(["b"])).Message);
        // but a vocabulary set later can be replaced by adapting, as in Keras
        var later = new TextVectorization();
        later.SetVocabulary(["a"]);
        later.Adapt(["b b c"]);
        Assert.Equal(["", "[UNK]", "b", "c"], later.GetVocabulary());
    }

    /// <summary>Outside int mode the output width is fixed once known (Keras' RuntimeError), unless padded to maxTokens.</summary>
    [Fact]
    public void TheOutputWidthCannotChangeOutsideIntMode()
    {
        var layer = new TextVectorization(outputMode: "multi_hot");
        layer.Adapt(["a b"]);
        Assert.Contains("Old vocab size is 3, new vocab size is 4", Assert.Throws<InvalidOperationException>(() => layer.Adapt(["a b c"])).Message);
        Assert.Equal(["[UNK]", "b", "a"], layer.GetVocabulary()); // unchanged
        layer.Adapt(["x y"]); // same size: fine
        var padded = new TextVectorization(outputMode: "multi_hot", maxTokens: 10, padToMaxTokens: true);
        padded.Adapt(["a b"]);
        padded.Adapt(["a b c"]);
        Assert.Equal([1, 10], padded.Call(["c"]).Shape.ToArray());
        var ints = new TextVectorization();
        ints.Adapt(["a"]);
        ints.Adapt(["a b c"]);
        Assert.Equal(5, ints.VocabularySize());
    }

    [Fact]
    public void AdaptingNothingKeepsTheVocabulary()
    {
        var layer = new TextVectorization(standardize: null); // keeps "[UNK]" as it is (the default would strip it to "unk")
        layer.Adapt(["", "  ", "[UNK]"]);
        Assert.Equal(["", "[UNK]"], layer.GetVocabulary());
        Assert.Throws<InvalidOperationException>(() => layer.Call(["a"]));
        layer.Adapt(["a"]);
        layer.Adapt([]);
        Assert.Equal(["", "[UNK]", "a"], layer.GetVocabulary());
    }

    [Fact]
    public void CallingWithoutAVocabularySaysWhatToDo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new TextVectorization(name: "tv").Call(["a"]));
        Assert.Equal("TextVectorization 'tv' has no vocabulary yet: pass `vocabulary` to the constructor, call SetVocabulary, or call Adapt with some sample data.", e.Message);
    }

    [Fact]
    public void PaddedTfIdfWeightsAreZeroPastTheVocabulary()
    {
        var layer = new TextVectorization(outputMode: "tf_idf", maxTokens: 6, padToMaxTokens: true, vocabulary: ["a", "b"], idfWeights: [2f, 4f]);
        AssertRows([[3f, 2f, 8f, 0f, 0f, 0f]], layer.Call(["a b b z"]));
    }

    // ---- Config ----

    [Fact]
    public void ConfigHasKerasKeysInKerasOrder()
    {
        var layer = new TextVectorization(outputMode: "int", vocabulary: ["one", "two"], outputSequenceLength: 5, name: "tv");
        var config = layer.GetConfig();
        Assert.Equal(["name", "trainable", "dtype", "max_tokens", "standardize", "split", "ngrams", "output_mode", "output_sequence_length",
            "pad_to_max_tokens", "sparse", "ragged", "vocabulary", "idf_weights", "encoding", "vocabulary_size"], config.Select(p => p.Key));
        Assert.Equal("""{"name":"tv","trainable":true,"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"float32"},"registered_name":null},"max_tokens":null,"standardize":"lower_and_strip_punctuation","split":"whitespace","ngrams":null,"output_mode":"int","output_sequence_length":5,"pad_to_max_tokens":false,"sparse":false,"ragged":false,"vocabulary":["one","two"],"idf_weights":null,"encoding":"utf-8","vocabulary_size":4}""",
            config.ToJsonString());
        Assert.Equal("TextVectorization", layer.Serialize()["class_name"]!.GetValue<string>());
        Assert.Equal("keras.layers", layer.Serialize()["module"]!.GetValue<string>());
    }

    public static TheoryData<string> RoundTripCases => ["int", "int-ngrams", "multi_hot", "count-padded", "tf_idf", "tf_idf-given", "tf_idf-padded"];

    private static TextVectorization RoundTripLayer(string name) => name switch
    {
        "int" => new TextVectorization(maxTokens: 6, outputSequenceLength: 3),
        "int-ngrams" => new TextVectorization(ngramWidths: [1, 3], standardize: "lower", split: "whitespace"),
        "multi_hot" => new TextVectorization(outputMode: "multi_hot", split: "character"),
        "count-padded" => new TextVectorization(outputMode: "count", maxTokens: 12, padToMaxTokens: true, standardize: null),
        "tf_idf" => new TextVectorization(outputMode: "tf_idf", ngrams: 2),
        "tf_idf-given" => new TextVectorization(outputMode: "tf_idf", vocabulary: ["bar", "foo"], idfWeights: [0.1f, 0.7f]),
        "tf_idf-padded" => new TextVectorization(outputMode: "tf_idf", maxTokens: 9, padToMaxTokens: true),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Keras' run_class_serialization_test: config → layer → the same config, and the rebuilt layer computes the same outputs.</summary>
    [Theory, MemberData(nameof(RoundTripCases))]
    public void ConfigRoundTrips(string name)
    {
        var layer = RoundTripLayer(name);
        string[] corpus = ["The quick brown fox", "jumps over the lazy dog!", "the dog, the fox", "Foo bar"];
        if (!name.EndsWith("-given", StringComparison.Ordinal)) layer.Adapt(corpus);
        var config = layer.GetConfig();
        var restored = TextVectorization.FromConfig(JsonNode.Parse(config.ToJsonString())!.AsObject());
        Assert.Equal(config.ToJsonString(), restored.GetConfig().ToJsonString());
        Assert.Equal(layer.GetVocabulary(), restored.GetVocabulary());
        string[] probe = ["the fox and the dog", "unknown words only", "", "Foo"];
        Assert.Equal(layer.Call(probe).ToArray(), restored.Call(probe).ToArray());
        Assert.Equal(layer.Call(probe).Shape.ToArray(), restored.Call(probe).Shape.ToArray());
    }

    /// <summary>A config as Keras 3 writes it for an adapted layer: no vocabulary (it is in the archive's vocabulary.txt), its size given.</summary>
    [Fact]
    public void ReadsAKerasConfigOfAnAdaptedLayer()
    {
        var config = JsonNode.Parse("""
            {"name": "text_vectorization", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "max_tokens": 20000, "standardize": "lower_and_strip_punctuation", "split": "whitespace", "ngrams": null, "output_mode": "multi_hot",
             "output_sequence_length": null, "pad_to_max_tokens": false, "sparse": false, "ragged": false, "vocabulary": null, "idf_weights": null,
             "encoding": "utf-8", "vocabulary_size": 4}
            """)!.AsObject();
        var layer = TextVectorization.FromConfig(config);
        Assert.Equal("text_vectorization", layer.Name);
        Assert.Equal(20000, layer.MaxTokens);
        Assert.Throws<InvalidOperationException>(() => layer.Call(["a"]));
        // the asset vocabulary.txt holds get_vocabulary() with the reserved token
        Assert.Contains("Old vocab size is 4, new vocab size is 3", Assert.Throws<InvalidOperationException>(() => layer.SetVocabulary(["[UNK]", "the", "a"])).Message);
        layer.SetVocabulary(["[UNK]", "the", "a", "fox"]);
        AssertRows([[1, 1, 0, 1]], layer.Call(["The FOX, the... cat"]));
    }

    [Theory]
    [InlineData("\"sparse\": true", "\"sparse\" = true: Dendrite has no sparse tensors.")]
    [InlineData("\"ragged\": true", "\"ragged\" = true: Dendrite has no ragged tensors")]
    [InlineData("\"encoding\": \"latin-1\"", "only utf-8 is supported")]
    [InlineData("\"vocabulary\": \"/tmp/vocab.txt\"", "a vocabulary file path is not loaded from a config")]
    [InlineData("\"standardize\": {\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"my_standardize\", \"registered_name\": \"function\"}", "\"standardize\" = ")]
    [InlineData("\"output_mode\": \"one_hot\"", "one_hot")]
    [InlineData("\"max_tokens\": 1", "`max_tokens` must be greater than 1")]
    [InlineData("\"something_new\": 3", "\"something_new\" = 3: Dendrite does not know this setting")]
    public void KerasConfigsDendriteCannotHonourAreRefused(string entry, string message)
    {
        var config = JsonNode.Parse($$"""{"name": "tv", {{entry}}}""")!.AsObject();
        var e = Assert.Throws<ModelFormatException>(() => TextVectorization.FromConfig(config));
        Assert.Contains("layer 'tv' (TextVectorization)", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ACustomFunctionCannotBeWrittenIntoAConfig()
    {
        var layer = new TextVectorization(standardizeFunction: s => s, vocabulary: ["a"], name: "custom");
        Assert.Contains("custom standardize function", Assert.Throws<InvalidOperationException>(() => layer.GetConfig()).Message);
    }

    [Fact]
    public void NamesFollowKerasAutomaticNaming()
    {
        var first = new TextVectorization();
        var second = new TextVectorization();
        Assert.StartsWith("text_vectorization", first.Name);
        Assert.NotEqual(first.Name, second.Name);
    }

    /// <summary>Not a <see cref="Layer"/> (see the class remarks), so the layer harness's every-class check does not expect cases for it.</summary>
    [Fact]
    public void IsAPreprocessorNotALayer() => Assert.False(typeof(TextVectorization).IsSubclassOf(typeof(Layer)));

    /// <summary>The end-to-end use: text to padded indices a model can take.</summary>
    [Fact]
    public void VectorizedTextFeedsAModel()
    {
        var vectorize = new TextVectorization(maxTokens: 50, outputSequenceLength: 6);
        string[] texts = ["good movie", "bad movie", "very good film", "very bad film"];
        vectorize.Adapt(texts);
        var x = vectorize.Call(texts);
        Assert.Equal([4, 6], x.Shape.ToArray());
        var model = new Sequential(new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: "adam", loss: "binary_crossentropy");
        var history = model.Fit(x, new NDArray<float>([1f, 0f, 1f, 0f], 4), epochs: 2, batchSize: 2, verbose: 0);
        Assert.Equal([0, 1], history.Epoch);
    }
}
