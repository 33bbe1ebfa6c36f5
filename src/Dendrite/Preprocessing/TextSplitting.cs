using System.Text;

namespace Dendrite.Layers;

/// <summary>
/// The string steps of <see cref="TextVectorization"/>, each as TensorFlow's op behind Keras does it (Keras 3 runs
/// this layer on TensorFlow whatever the backend): <c>tf.strings.lower</c> without an encoding (ASCII letters
/// only), the punctuation regex, <c>tf.strings.split</c> on whitespace, <c>tf.strings.unicode_split</c> and
/// <c>tf.strings.ngrams</c>.
/// </summary>
internal static class TextSplitting
{
    /// <summary>
    /// <c>tf.strings.lower(x)</c>: with its default empty encoding TensorFlow lowercases ASCII letters only, so
    /// <c>"ÉCOLE"</c> becomes <c>"École"</c> as in Keras.
    /// </summary>
    internal static string LowerAscii(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (first < 0)
            return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                char c = source[i];
                span[i] = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
            }
        });
    }

    /// <summary>
    /// Removes what Keras' regex <c>[!"#$%&amp;()\*\+,-\./:;&lt;=&gt;?@\[\\\]^_`{|}~\']</c> matches: exactly the 32
    /// ASCII punctuation characters (the range <c>,-\.</c> takes in the hyphen). Other Unicode punctuation stays.
    /// </summary>
    internal static string StripPunctuation(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAny(Punctuation) < 0)
            return text;
        var result = new StringBuilder(text.Length);
        foreach (char c in span)
        {
            if (!IsPunctuation(c))
                result.Append(c);
        }
        return result.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> Punctuation =
        System.Buffers.SearchValues.Create("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

    internal static bool IsPunctuation(char c) => Punctuation.Contains(c);

    /// <summary>
    /// <c>tf.strings.split(x)</c> with no separator: runs of ASCII whitespace (space, tab, newline, vertical tab, form
    /// feed, carriage return) separate tokens, and leading or trailing whitespace gives no empty token. Non-ASCII
    /// spaces (U+00A0 …) do not split, as in TensorFlow.
    /// </summary>
    internal static List<string> SplitWhitespace(string text)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool space = i == text.Length || text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
            if (space)
            {
                if (start >= 0)
                    tokens.Add(text[start..i]);
                start = -1;
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        return tokens;
    }

    /// <summary>
    /// <c>tf.strings.unicode_split(x, "UTF-8")</c>: one token per Unicode code point (a surrogate pair stays
    /// together); an unpaired surrogate, which has no UTF-8 form, becomes U+FFFD as TensorFlow's replacement does.
    /// </summary>
    internal static List<string> SplitCharacters(string text)
    {
        var tokens = new List<string>(text.Length);
        foreach (var rune in text.EnumerateRunes())
            tokens.Add(rune.ToString());
        return tokens;
    }

    /// <summary>
    /// <c>tf.strings.ngrams(tokens, widths, separator=" ")</c>: for each width in the order given, every run of that
    /// many consecutive tokens joined by a space, all of one width before the next; a width longer than the
    /// sequence contributes nothing (<c>preserve_short_sequences=False</c>).
    /// </summary>
    internal static List<string> NGrams(List<string> tokens, IReadOnlyList<int> widths)
    {
        var result = new List<string>();
        foreach (int width in widths)
        {
            for (int start = 0; start + width <= tokens.Count; start++)
                result.Add(width == 1 ? tokens[start] : string.Join(' ', tokens.GetRange(start, width)));
        }
        return result;
    }

    /// <summary>
    /// Orders strings as NumPy orders the UTF-8 bytes TensorFlow holds them as: by Unicode code point, which differs
    /// from .NET's ordinal (UTF-16) order for characters beyond U+FFFF against U+E000–U+FFFF.
    /// </summary>
    internal static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y)
                continue;
            bool sx = char.IsSurrogate(x), sy = char.IsSurrogate(y);
            // A surrogate starts a code point ≥ U+10000, above every character of the basic plane.
            if (sx != sy)
                return sx ? 1 : -1;
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);
    }
}
