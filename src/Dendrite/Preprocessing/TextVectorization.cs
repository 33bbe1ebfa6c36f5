namespace Dendrite.Layers;

/// <summary>
/// Turns strings into token indices or token counts (Keras' <c>keras.layers.TextVectorization</c>): each text is
/// standardized (lowercased and stripped of punctuation by default), split (on whitespace by default), optionally
/// combined into n-grams, and looked up in a vocabulary that is either given or learned with <see cref="Adapt"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Not a <see cref="Layer"/>.</b> Dendrite's layers compute on float32 <see cref="Autodiff.Tensor"/>s and its
/// models take numeric arrays; there are no string tensors to carry text through a model. So this is a
/// preprocessing object used before the model, which is also how Keras recommends using TextVectorization with
/// any backend but TensorFlow ("as part of an input preprocessing pipeline … outside the model itself"). It has
/// Keras' arguments, vocabulary rules, outputs and config keys, so a Keras config of the layer can be read with
/// <see cref="FromConfig"/>, but a <c>.keras</c> model containing one cannot be loaded as a model.
/// </para>
/// <para>
/// <b>Vocabulary.</b> In <c>"int"</c> mode index 0 is the padding (mask) token <c>""</c> and index 1 the
/// out-of-vocabulary token <c>"[UNK]"</c>; in <c>"multi_hot"</c>, <c>"count"</c> and <c>"tf_idf"</c> mode there is
/// no mask and the OOV token is index 0. <see cref="Adapt"/> sorts tokens by count, most frequent first, and breaks
/// ties by the tokens themselves in reverse code-point order (Keras: <c>np.lexsort((tokens, counts))[::-1]</c>),
/// then keeps the first <c>maxTokens</c> minus the reserved ones.
/// </para>
/// <para>
/// <b>Faithful details.</b> Lowercasing is TensorFlow's default, ASCII letters only; "punctuation" is the 32 ASCII
/// punctuation characters; whitespace is ASCII whitespace. In <c>"tf_idf"</c> mode each adapted text is a document
/// and a token's weight is <c>log(1 + documents / (1 + documents containing it))</c>, the OOV weight being their mean.
/// </para>
/// </remarks>
/// <example><code>
/// var vectorize = new TextVectorization(maxTokens: 5000, outputSequenceLength: 4);
/// vectorize.Adapt(["foo bar", "bar baz", "baz bada boom"]);
/// vectorize.Call(["foo qux bar", "qux baz"]);   // [[4 1 3 0] [1 2 0 0]]
/// </code></example>
public sealed partial class TextVectorization
{
    internal const string MaskToken = "";
    internal const string OovToken = "[UNK]";

    private readonly Func<string, string>? _standardizeFunction;
    private readonly Func<string, IEnumerable<string>>? _splitFunction;
    private readonly int[]? _ngramWidths;

    private string[]? _tokens;                    // the vocabulary without the reserved tokens, by index
    private Dictionary<string, int> _index = [];   // token → output index
    private float[]? _idfWeights;                 // tf_idf: one weight per output index (padded to maxTokens when asked)
    private int? _frozenVocabularySize;           // the output width once known (Keras' _frozen_vocab_size)
    private readonly bool _hasInputVocabulary;
    private readonly string[]? _inputVocabulary;
    private readonly float[]? _inputIdfWeights;

    /// <summary>Creates the layer; with <paramref name="vocabulary"/> it is ready to use, else call <see cref="Adapt"/> or <see cref="SetVocabulary"/>.</summary>
    /// <param name="maxTokens">Largest vocabulary, reserved tokens included (so int mode learns <c>maxTokens − 2</c> tokens,
    /// the other modes <c>maxTokens − 1</c>); null for no limit. Must be greater than 1.</param>
    /// <param name="standardize"><c>"lower_and_strip_punctuation"</c> (default), <c>"lower"</c>, <c>"strip_punctuation"</c> or null (none).</param>
    /// <param name="split"><c>"whitespace"</c> (default), <c>"character"</c> (one token per Unicode code point) or null (each text is one token).</param>
    /// <param name="ngrams">With n, tokens are followed by all n-grams of widths 2..n (Keras' <c>ngrams=n</c>); null for none.</param>
    /// <param name="outputMode"><c>"int"</c> (default), <c>"multi_hot"</c>, <c>"count"</c> or <c>"tf_idf"</c>
    /// (Keras' older names <c>"binary"</c> and <c>"tf-idf"</c> are accepted).</param>
    /// <param name="outputSequenceLength">Int mode only: pad with 0 or cut every row to this length; by default rows are
    /// padded to the longest text of the call.</param>
    /// <param name="padToMaxTokens">multi_hot, count and tf_idf modes: make the output <paramref name="maxTokens"/>
    /// wide even when the vocabulary is smaller.</param>
    /// <param name="vocabulary">A fixed vocabulary (tokens in index order, optionally starting with the reserved
    /// tokens); the layer then cannot be adapted.</param>
    /// <param name="idfWeights">tf_idf mode with a fixed vocabulary: one weight per vocabulary entry (required then).</param>
    /// <param name="name">The name; Keras' automatic one (<c>text_vectorization</c>, <c>text_vectorization_1</c>, …) when null.</param>
    /// <param name="standardizeFunction">A custom standardization, used instead of <paramref name="standardize"/> (Keras' callable <c>standardize</c>).</param>
    /// <param name="splitFunction">A custom split, used instead of <paramref name="split"/> (Keras' callable <c>split</c>).</param>
    /// <param name="ngramWidths">Exactly these n-gram widths, in this order (Keras' tuple <c>ngrams=(1, 3)</c>); exclusive with <paramref name="ngrams"/>.</param>
    /// <exception cref="ArgumentException">An argument Keras would refuse, with Keras' reason.</exception>
    public TextVectorization(
        int? maxTokens = null,
        string? standardize = "lower_and_strip_punctuation",
        string? split = "whitespace",
        int? ngrams = null,
        string outputMode = "int",
        int? outputSequenceLength = null,
        bool padToMaxTokens = false,
        IEnumerable<string>? vocabulary = null,
        IEnumerable<float>? idfWeights = null,
        string? name = null,
        Func<string, string>? standardizeFunction = null,
        Func<string, IEnumerable<string>>? splitFunction = null,
        IReadOnlyList<int>? ngramWidths = null)
    {
        if (standardize is not (null or "lower_and_strip_punctuation" or "lower" or "strip_punctuation"))
            throw new ArgumentException($"Invalid value for argument `standardize`. Expected one of [\"lower_and_strip_punctuation\", \"lower\", \"strip_punctuation\"], null or a function. Received: standardize={standardize}", nameof(standardize));
        if (split is not (null or "whitespace" or "character"))
            throw new ArgumentException($"Invalid value for argument `split`. Expected one of [\"whitespace\", \"character\"], null or a function. Received: split={split}", nameof(split));
        outputMode = outputMode switch { "binary" => "multi_hot", "tf-idf" => "tf_idf", _ => outputMode };
        if (outputMode is not ("int" or "multi_hot" or "count" or "tf_idf"))
            throw new ArgumentException(outputMode == "one_hot"
                ? "TextVectorization: output_mode \"one_hot\" (one vector per token) is not supported by Dendrite; use \"int\" with an Embedding layer, or \"multi_hot\"."
                : $"Invalid value for argument `output_mode`. Expected one of [\"int\", \"multi_hot\", \"count\", \"tf_idf\"]. Received: output_mode={outputMode}", nameof(outputMode));
        if (ngrams is not null && ngramWidths is not null)
            throw new ArgumentException("Pass `ngrams` (all widths up to n) or `ngramWidths` (exactly these widths), not both.", nameof(ngramWidths));
        if (ngrams is < 1 || ngramWidths?.Any(w => w < 1) == true)
            throw new ArgumentException($"`ngrams` must be positive integers. Received: ngrams={(object?)ngrams ?? $"({string.Join(", ", ngramWidths!)})"}", nameof(ngrams));
        if (outputMode != "int" && outputSequenceLength is not null)
            throw new ArgumentException($"`output_sequence_length` must not be set if `output_mode` is not 'int'. Received output_sequence_length={outputSequenceLength}.", nameof(outputSequenceLength));
        if (outputSequenceLength is < 1)
            throw new ArgumentException($"`output_sequence_length` must be a positive integer. Received output_sequence_length={outputSequenceLength}.", nameof(outputSequenceLength));
        if (maxTokens is <= 1)
            throw new ArgumentException($"If set, `max_tokens` must be greater than 1. Received: max_tokens={maxTokens}", nameof(maxTokens));
        if (padToMaxTokens && maxTokens is null)
            throw new ArgumentException("If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None", nameof(padToMaxTokens));
        var idf = idfWeights?.ToArray();
        if (idf is not null && outputMode != "tf_idf")
            throw new ArgumentException($"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: output_mode={outputMode}", nameof(idfWeights));
        var given = vocabulary?.ToArray();
        if (outputMode == "tf_idf" && given is not null && idf is null)
            throw new ArgumentException("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also be provided.", nameof(idfWeights));

        Name = name ?? LayerNames.Unique("text_vectorization");
        MaxTokens = maxTokens;
        Standardize = standardizeFunction is null ? standardize : null;
        Split = splitFunction is null ? split : null;
        _standardizeFunction = standardizeFunction;
        _splitFunction = splitFunction;
        Ngrams = ngrams;
        _ngramWidths = ngrams is int up ? [.. Enumerable.Range(1, up)] : ngramWidths?.ToArray();
        OutputMode = outputMode;
        OutputSequenceLength = outputSequenceLength;
        PadToMaxTokens = padToMaxTokens;

        if (given is not null)
        {
            _hasInputVocabulary = true;
            _inputVocabulary = given;
            _inputIdfWeights = idf;
            SetVocabulary(given, idf);
        }
    }

    /// <summary>The name (Keras' <c>name</c>).</summary>
    public string Name { get; }

    /// <summary>The largest vocabulary, reserved tokens included; null for no limit.</summary>
    public int? MaxTokens { get; }

    /// <summary>The named standardization, or null (none, or a custom function).</summary>
    public string? Standardize { get; }

    /// <summary>The named split, or null (none, or a custom function).</summary>
    public string? Split { get; }

    /// <summary>The n of <c>ngrams=n</c>, or null.</summary>
    public int? Ngrams { get; }

    /// <summary>The n-gram widths applied after splitting (1..n for <see cref="Ngrams"/>), or null for none.</summary>
    public IReadOnlyList<int>? NgramWidths => _ngramWidths;

    /// <summary><c>"int"</c>, <c>"multi_hot"</c>, <c>"count"</c> or <c>"tf_idf"</c>.</summary>
    public string OutputMode { get; }

    /// <summary>Int mode: the fixed row length, or null.</summary>
    public int? OutputSequenceLength { get; }

    /// <summary>Whether non-int outputs are <see cref="MaxTokens"/> wide.</summary>
    public bool PadToMaxTokens { get; }

    private bool IntMode => OutputMode == "int";

    /// <summary>The number of reserved indices before the first token: 2 (mask, OOV) in int mode, else 1 (OOV).</summary>
    private int TokenStart => IntMode ? 2 : 1;

    private int OovIndex => IntMode ? 1 : 0;

    /// <summary>
    /// Learns the vocabulary (and, in tf_idf mode, the document frequencies) from <paramref name="data"/>, one text per
    /// document, replacing any earlier one. Data without a single token leaves the vocabulary as it was, as in Keras.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer was created with a fixed vocabulary; or, in a non-int mode
    /// without <see cref="PadToMaxTokens"/>, the vocabulary size (the output width) would change.</exception>
    public void Adapt(IEnumerable<string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_hasInputVocabulary)
            throw new InvalidOperationException($"Cannot adapt layer '{Name}' after setting a static vocabulary via `vocabulary` argument or `set_vocabulary()` method.");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var documentCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        long documents = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in data)
        {
            var tokens = Preprocess(text);
            foreach (string token in tokens)
                counts[token] = counts.GetValueOrDefault(token) + 1;
            if (OutputMode == "tf_idf")
            {
                seen.Clear();
                foreach (string token in tokens)
                {
                    if (seen.Add(token))
                        documentCounts[token] = documentCounts.GetValueOrDefault(token) + 1;
                }
                documents++;
            }
        }
        counts.Remove(MaskToken);
        counts.Remove(OovToken);
        if (counts.Count == 0)
            return;

        // Most frequent first; ties in reverse code-point order of the tokens (np.lexsort((tokens, counts))[::-1]).
        var ordered = counts.ToList();
        ordered.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : TextSplitting.CompareCodePoints(b.Key, a.Key));
        int keep = MaxTokens is int max ? Math.Min(ordered.Count, max - TokenStart) : ordered.Count;
        string[] learned = [.. ordered.Take(keep).Select(p => p.Key)];

        float[]? idf = null;
        if (OutputMode == "tf_idf")
        {
            idf = new float[TokenStart + learned.Length];
            double sum = 0;
            for (int i = 0; i < learned.Length; i++)
            {
                // TensorFlow divides the int64 counts in float64 (truediv), takes the log and casts to float32.
                float weight = (float)Math.Log(1 + (double)documents / (1 + documentCounts[learned[i]]));
                idf[TokenStart + i] = weight;
                sum += weight;
            }
            // The OOV weight is the mean of the learned weights: its own frequency cannot be known in one pass.
            idf[0] = learned.Length == 0 ? 0 : (float)(sum / learned.Length);
        }
        Install(learned, idf);
    }

    /// <summary>
    /// Sets the vocabulary directly (Keras' <c>set_vocabulary</c>): tokens in index order, optionally preceded by the
    /// reserved tokens (<c>""</c>, <c>"[UNK]"</c> in int mode; <c>"[UNK]"</c> otherwise), e.g. the lines of a
    /// <c>vocabulary.txt</c> a Keras model saved. In tf_idf mode <paramref name="idfWeights"/> gives one weight per
    /// entry; without the reserved tokens, the OOV weight is their average.
    /// </summary>
    /// <exception cref="ArgumentException">The vocabulary is empty, repeats a token, holds the mask token <c>""</c> past
    /// the start, is larger than <see cref="MaxTokens"/>, or the idf weights do not match it.</exception>
    /// <exception cref="InvalidOperationException">In a non-int mode without <see cref="PadToMaxTokens"/>, the size would change.</exception>
    public void SetVocabulary(IEnumerable<string> vocabulary, IEnumerable<float>? idfWeights = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        string[] entries = vocabulary.ToArray();
        float[]? idf = idfWeights?.ToArray();
        if (OutputMode == "tf_idf" && idf is null)
            throw new ArgumentException("`idf_weights` must be set if output_mode is 'tf_idf'.", nameof(idfWeights));
        if (OutputMode != "tf_idf" && idf is not null)
            throw new ArgumentException($"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: output_mode={OutputMode}", nameof(idfWeights));
        if (entries.Length == 0)
            throw new ArgumentException("Cannot set an empty vocabulary.", nameof(vocabulary));
        if (entries.Any(e => e is null))
            throw new ArgumentException("The vocabulary holds a null entry.", nameof(vocabulary));

        string[] special = IntMode ? [MaskToken, OovToken] : [OovToken];
        bool found = entries.Length >= special.Length && entries.AsSpan(0, special.Length).SequenceEqual(special);
        string[] tokens = found ? entries[special.Length..] : entries;

        var repeated = tokens.GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (repeated.Length > 0)
            throw new ArgumentException($"The passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: [{string.Join(", ", repeated.Select(r => $"'{r}'"))}]", nameof(vocabulary));
        if (tokens.Contains(MaskToken))
            throw new ArgumentException($"Found reserved mask token at unexpected location in `vocabulary`. Note that passed `vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [{string.Join(", ", special.Select(s => $"'{s}'"))}]. Received: mask_token='' at vocabulary index {Array.LastIndexOf(entries, MaskToken)}", nameof(vocabulary));
        if (MaxTokens is int max && TokenStart + tokens.Length > max)
            throw new ArgumentException($"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is {TokenStart + tokens.Length}; `max_tokens` is {max}.", nameof(vocabulary));

        float[]? weights = null;
        if (idf is not null)
        {
            if (idf.Length != entries.Length)
                throw new ArgumentException($"`idf_weights` must be the same length as vocabulary. len(idf_weights) is {idf.Length}; len(vocabulary) is {entries.Length}", nameof(idfWeights));
            // Without the reserved tokens, Keras puts the average weight (np.average, in float64) in front for OOV.
            int front = found ? 0 : TokenStart;
            weights = new float[front + idf.Length];
            if (front > 0)
                weights[0] = (float)idf.Average(w => (double)w);
            idf.CopyTo(weights, front);
        }
        Install(tokens, weights);
    }

    /// <summary>
    /// Replaces the vocabulary after checking, as Keras' <c>_record_vocabulary_size</c> does, that a non-int layer
    /// without padding keeps its output width.
    /// </summary>
    private void Install(string[] tokens, float[]? idf)
    {
        int size = TokenStart + tokens.Length;
        if (!IntMode && !PadToMaxTokens && _frozenVocabularySize is int frozen && frozen != size)
            throw new InvalidOperationException($"When using `output_mode={OutputMode}` and `pad_to_max_tokens=False`, the vocabulary size cannot be changed after the layer is called. Old vocab size is {frozen}, new vocab size is {size}");
        var index = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
            index[tokens[i]] = TokenStart + i;
        if (idf is not null && PadToMaxTokens && MaxTokens is int max && idf.Length < max)
            Array.Resize(ref idf, max); // zeros for the unused slots
        _tokens = tokens;
        _index = index;
        _idfWeights = idf;
        _frozenVocabularySize = size;
    }

    /// <summary>The vocabulary in index order (Keras' <c>get_vocabulary</c>): with the reserved tokens by default, so that a token's position is its index.</summary>
    public IReadOnlyList<string> GetVocabulary(bool includeSpecialTokens = true)
    {
        var tokens = _tokens ?? [];
        if (!includeSpecialTokens)
            return [.. tokens];
        return IntMode ? [MaskToken, OovToken, .. tokens] : [OovToken, .. tokens];
    }

    /// <summary>The vocabulary size with the reserved tokens (Keras' <c>vocabulary_size()</c>).</summary>
    public int VocabularySize() => TokenStart + (_tokens?.Length ?? 0);

    /// <summary>
    /// Vectorizes <paramref name="texts"/>: in int mode a (texts, length) array of token indices (0 padding, 1 for
    /// unknown tokens), else a (texts, vocabulary size or <see cref="MaxTokens"/>) array of presence flags, counts or
    /// TF-IDF weights. Indices are returned as float32, Dendrite's tensor type (exact up to 2²⁴).
    /// </summary>
    /// <exception cref="InvalidOperationException">No vocabulary yet (neither given, set nor adapted).</exception>
    public NDArray<float> Call(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (_tokens is null)
            throw new InvalidOperationException($"TextVectorization '{Name}' has no vocabulary yet: pass `vocabulary` to the constructor, call SetVocabulary, or call Adapt with some sample data.");
        var rows = new List<int>[texts.Count];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = Lookup(Preprocess(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts))));

        if (IntMode)
        {
            int length = OutputSequenceLength ?? rows.Select(r => r.Count).DefaultIfEmpty(0).Max();
            var ids = new float[(long)rows.Length * length];
            for (int i = 0; i < rows.Length; i++)
            {
                int n = Math.Min(length, rows[i].Count); // pads with 0, or keeps the first `length` tokens
                for (int j = 0; j < n; j++)
                    ids[(long)i * length + j] = rows[i][j];
            }
            return new NDArray<float>(ids, rows.Length, length);
        }

        int depth = PadToMaxTokens ? MaxTokens!.Value : _frozenVocabularySize!.Value;
        var output = new float[(long)rows.Length * depth];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = output.AsSpan(i * depth, depth);
            foreach (int index in rows[i])
            {
                if (index >= depth)
                    continue; // the dropped mask token
                row[index] = OutputMode == "multi_hot" ? 1 : row[index] + 1;
            }
            if (OutputMode == "tf_idf")
            {
                for (int k = 0; k < depth; k++)
                    row[k] *= _idfWeights![k];
            }
        }
        return new NDArray<float>(output, rows.Length, depth);
    }

    /// <summary>
    /// Standardize, split and n-gram one text (Keras' <c>_preprocess</c>): the tokens <see cref="Adapt"/> counts and
    /// <see cref="Call"/> looks up.
    /// </summary>
    internal List<string> Preprocess(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Standardize is "lower" or "lower_and_strip_punctuation")
            text = TextSplitting.LowerAscii(text);
        if (Standardize is "strip_punctuation" or "lower_and_strip_punctuation")
            text = TextSplitting.StripPunctuation(text);
        if (_standardizeFunction is not null)
            text = _standardizeFunction(text) ?? throw new InvalidOperationException($"TextVectorization '{Name}': the standardize function returned null.");

        List<string> tokens = _splitFunction is not null
            ? [.. _splitFunction(text) ?? throw new InvalidOperationException($"TextVectorization '{Name}': the split function returned null.")]
            : Split switch
            {
                "whitespace" => TextSplitting.SplitWhitespace(text),
                "character" => TextSplitting.SplitCharacters(text),
                _ => [text],
            };
        return _ngramWidths is null ? tokens : TextSplitting.NGrams(tokens, _ngramWidths);
    }

    /// <summary>Token → index: the vocabulary's index, else the OOV index; the mask token <c>""</c> is 0 in int mode and dropped (past every index) otherwise.</summary>
    private List<int> Lookup(List<string> tokens)
    {
        var ids = new List<int>(tokens.Count);
        foreach (string token in tokens)
        {
            if (token.Length == 0)
                ids.Add(IntMode ? 0 : int.MaxValue);
            else
                ids.Add(_index.TryGetValue(token, out int index) ? index : OovIndex);
        }
        return ids;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (TextVectorization)";
}
