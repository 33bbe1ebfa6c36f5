using System.Globalization;
using System.Numerics;
using System.Text;

namespace Dendrite;

/// <summary>
/// NumPy's <c>str(array)</c> with the default print options (precision=8, threshold=1000, edgeitems=3,
/// linewidth=75, suppress=False, floatmode='maxprec', sign='-'), following <c>numpy/_core/arrayprint.py</c>:
/// <c>_leading_trailing</c> for summarisation, <c>IntegerFormat</c> and <c>FloatingFormat.fillFormat</c> for the
/// element widths, and <c>_formatArray</c>/<c>_extendLine</c> for brackets, line wrapping and separators.
/// </summary>
/// <remarks>
/// Two version notes. The switch to scientific notation compares the smallest non-zero magnitude with 1e-4 in the
/// array's own element type, as NumPy 2 does (NumPy 1.x compared a float32 minimum in float64, which differs only
/// for the float32 value nearest 1e-4). The large-value cutoff is 1e8 for both float32 and float64, as in
/// NumPy 1.14–2.2; NumPy 2.3 lowered it to 1e6 for float32.
/// </remarks>
internal static class NumPyFormatter
{
    private const int Precision = 8;
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 75;
    private const string SummaryInsert = "...";

    /// <summary>The text NumPy's <c>print(a)</c> shows for <paramref name="array"/>.</summary>
    public static string Format<T>(NDArray<T> array) where T : unmanaged, INumber<T>
    {
        // str() of a 0-d array is str() of its scalar: not bound by the precision, no brackets.
        if (array.Rank == 0) return ScalarString(array.Item());
        if (array.Size == 0) return "[]";

        bool summarise = array.Size > Threshold;
        var shown = new List<T>();
        CollectShown(array, 0, array.Offset, summarise, shown);
        ElementFormat<T> format = DTypes.IsFloatingPoint<T>() ? new FloatingFormat<T>(shown) : new IntegerFormat<T>(shown);

        var printer = new ArrayPrinter<T>(array, format, summarise);
        return printer.Recurse(0, array.Offset, " ", LineWidth);
    }

    /// <summary>
    /// NumPy's <c>str()</c> of one scalar: integers in decimal; floats as the shortest digits that round-trip in
    /// their own type, positional (<c>1.0</c>, <c>0.99997</c>) when 1e-4 &lt;= |x| &lt; 1e16 or x is 0, otherwise
    /// scientific (<c>1e-05</c>, <c>1.5e+20</c>), and <c>nan</c>, <c>inf</c>, <c>-inf</c>.
    /// </summary>
    public static string ScalarString<T>(T value) where T : unmanaged, INumber<T>
    {
        if (!DTypes.IsFloatingPoint<T>()) return value.ToString(null, CultureInfo.InvariantCulture);
        if (T.IsNaN(value)) return "nan";
        if (T.IsInfinity(value)) return T.IsNegative(value) ? "-inf" : "inf";
        // NumPy's C code compares the magnitude with double constants, so a float32 is widened first.
        double magnitude = Math.Abs(double.CreateTruncating(value));
        var parts = Parts(value);
        return magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16)
            ? Dragon4.Positional(parts, -1, -1, Dragon4.Trim.LeaveOneZero, -1, -1)
            : Dragon4.Scientific(parts, -1, -1, Dragon4.Trim.DotAndZeros, -1, -1);
    }

    private static Dragon4.Parts Parts<T>(T value) where T : unmanaged, INumber<T> =>
        typeof(T) == typeof(float)
            ? Dragon4.Decompose(float.CreateTruncating(value))
            : Dragon4.Decompose(double.CreateTruncating(value));

    /// <summary>
    /// The elements that will be printed (NumPy's <c>_leading_trailing</c>): along each axis longer than
    /// 2 × edgeitems, only the first and last edgeitems when summarising.
    /// </summary>
    private static void CollectShown<T>(NDArray<T> array, int axis, int offset, bool summarise, List<T> shown)
        where T : unmanaged, INumber<T>
    {
        if (axis == array.Rank)
        {
            shown.Add(array.Buffer[offset]);
            return;
        }
        int length = array.Shape[axis];
        int stride = array.Strides[axis];
        bool cut = summarise && length > 2 * EdgeItems;
        for (int i = 0; i < length; i++)
        {
            if (cut && i == EdgeItems) i = length - EdgeItems;
            CollectShown(array, axis + 1, offset + i * stride, summarise, shown);
        }
    }

    /// <summary>The recursive bracket and line layout of <c>_formatArray</c> (non-legacy mode, separator ' ').</summary>
    private sealed class ArrayPrinter<T>(NDArray<T> array, ElementFormat<T> format, bool summarise)
        where T : unmanaged, INumber<T>
    {
        public string Recurse(int axis, int offset, string hangingIndent, int currentWidth)
        {
            int axesLeft = array.Rank - axis;
            if (axesLeft == 0) return format.Format(array.Buffer[offset]);

            // Nested rows are indented one more space (to sit under the '[') and lose one column to the ']'.
            string nextHangingIndent = hangingIndent + " ";
            int nextWidth = currentWidth - 1;
            int length = array.Shape[axis];
            int stride = array.Strides[axis];
            bool showSummary = summarise && 2 * EdgeItems < length;
            int leading = showSummary ? EdgeItems : 0;
            int trailing = showSummary ? EdgeItems : length;

            var s = new StringBuilder();
            if (axesLeft == 1)
            {
                // Elements of the last axis: wrap when a word would pass the width (less one column for ']').
                int elementWidth = currentWidth - 1;
                var line = new StringBuilder(hangingIndent);
                for (int i = 0; i < leading; i++)
                {
                    ExtendLine(s, line, Recurse(axis + 1, offset + i * stride, nextHangingIndent, nextWidth), elementWidth, hangingIndent);
                    line.Append(' ');
                }
                if (showSummary)
                {
                    ExtendLine(s, line, SummaryInsert, elementWidth, hangingIndent);
                    line.Append(' ');
                }
                for (int i = trailing; i > 1; i--)
                {
                    ExtendLine(s, line, Recurse(axis + 1, offset + (length - i) * stride, nextHangingIndent, nextWidth), elementWidth, hangingIndent);
                    line.Append(' ');
                }
                ExtendLine(s, line, Recurse(axis + 1, offset + (length - 1) * stride, nextHangingIndent, nextWidth), elementWidth, hangingIndent);
                s.Append(line);
            }
            else
            {
                // Sub-arrays go on their own lines, with (axesLeft - 1) newlines between them: blank lines for rank >= 3.
                string lineSeparator = new('\n', axesLeft - 1);
                for (int i = 0; i < leading; i++)
                    s.Append(hangingIndent).Append(Recurse(axis + 1, offset + i * stride, nextHangingIndent, nextWidth)).Append(lineSeparator);
                if (showSummary) s.Append(hangingIndent).Append(SummaryInsert).Append(lineSeparator);
                for (int i = trailing; i > 1; i--)
                    s.Append(hangingIndent).Append(Recurse(axis + 1, offset + (length - i) * stride, nextHangingIndent, nextWidth)).Append(lineSeparator);
                s.Append(hangingIndent).Append(Recurse(axis + 1, offset + (length - 1) * stride, nextHangingIndent, nextWidth));
            }

            // Drop the hanging indent of the first line and wrap in brackets.
            s.Remove(0, hangingIndent.Length);
            return s.Insert(0, '[').Append(']').ToString();
        }

        /// <summary>NumPy's <c>_extendLine</c>: start a new line when the word would not fit (unless the line is still empty).</summary>
        private static void ExtendLine(StringBuilder s, StringBuilder line, string word, int lineWidth, string nextLinePrefix)
        {
            bool needsWrap = line.Length + word.Length > lineWidth && line.Length > nextLinePrefix.Length;
            if (needsWrap)
            {
                s.Append(line.ToString().TrimEnd(' ')).Append('\n');
                line.Clear().Append(nextLinePrefix);
            }
            line.Append(word);
        }
    }

    /// <summary>Formats one element of an array, padded to a width common to all printed elements.</summary>
    private abstract class ElementFormat<T> where T : unmanaged, INumber<T>
    {
        public abstract string Format(T value);
    }

    /// <summary>NumPy's <c>IntegerFormat</c>: right-aligned to the longer of the printed maximum and minimum.</summary>
    private sealed class IntegerFormat<T> : ElementFormat<T> where T : unmanaged, INumber<T>
    {
        private readonly int _width;

        public IntegerFormat(List<T> shown)
        {
            T max = shown[0], min = shown[0];
            foreach (var v in shown)
            {
                if (v > max) max = v;
                if (v < min) min = v;
            }
            _width = Math.Max(Text(max).Length, Text(min).Length);
        }

        private static string Text(T value) => value.ToString(null, CultureInfo.InvariantCulture);

        public override string Format(T value) => Text(value).PadLeft(_width);
    }

    /// <summary>NumPy's <c>FloatingFormat</c> in 'maxprec' mode with precision 8 and sign '-'.</summary>
    private sealed class FloatingFormat<T> : ElementFormat<T> where T : unmanaged, INumber<T>
    {
        private readonly bool _scientific;
        private readonly int _precision = Precision;
        private readonly int _minDigits;
        private readonly Dragon4.Trim _trim;
        private readonly int _padLeft;
        private readonly int _padRight;
        private readonly int _expSize = -1;

        /// <summary><c>fillFormat</c>: decides notation and paddings from the printed elements.</summary>
        public FloatingFormat(List<T> shown)
        {
            var finite = new List<T>(shown.Count);
            bool negativeInfinity = false;
            foreach (var v in shown)
            {
                if (T.IsFinite(v)) finite.Add(v);
                else if (T.IsNegativeInfinity(v)) negativeInfinity = true;
            }

            // Scientific notation when the non-zero magnitudes are very large, very small or span > 3 decades.
            // The comparisons happen in T, as NumPy 2 does them (a Python float literal is a "weak" scalar).
            bool any = false;
            T maxAbs = T.Zero, minAbs = T.Zero;
            foreach (var v in finite)
            {
                if (v == T.Zero) continue;
                T a = T.Abs(v);
                if (!any) { maxAbs = minAbs = a; any = true; }
                else
                {
                    if (a > maxAbs) maxAbs = a;
                    if (a < minAbs) minAbs = a;
                }
            }
            if (any)
                _scientific = maxAbs >= T.CreateTruncating(1e8) || minAbs < T.CreateTruncating(1e-4)
                              || maxAbs / minAbs > T.CreateTruncating(1000.0);

            if (finite.Count == 0)
            {
                _padLeft = 0;
                _padRight = 0;
                _trim = Dragon4.Trim.Zeros;
                _minDigits = -1;
            }
            else if (_scientific)
            {
                // First pass: shortest digits (at most 8 after the point) to find the common widths.
                int intWidth = 0, fracWidth = 0, expWidth = 0;
                foreach (var v in finite)
                {
                    string text = Dragon4.Scientific(Parts(v), Precision, -1, Dragon4.Trim.Zeros, -1, -1);
                    int e = text.IndexOf('e');
                    int dot = text.IndexOf('.');
                    intWidth = Math.Max(intWidth, dot);
                    fracWidth = Math.Max(fracWidth, e - dot - 1);
                    expWidth = Math.Max(expWidth, text.Length - e - 1);
                }
                _expSize = expWidth - 1;
                _trim = Dragon4.Trim.Keep;
                _precision = fracWidth;
                _minDigits = fracWidth;
                _padLeft = intWidth;
                _padRight = _expSize + 2 + _precision;
            }
            else
            {
                int intWidth = 0, fracWidth = 0;
                foreach (var v in finite)
                {
                    string text = Dragon4.Positional(Parts(v), Precision, -1, Dragon4.Trim.Zeros, -1, -1);
                    int dot = text.IndexOf('.');
                    intWidth = Math.Max(intWidth, dot);
                    fracWidth = Math.Max(fracWidth, text.Length - dot - 1);
                }
                _padLeft = intWidth;
                _padRight = fracWidth;
                _trim = Dragon4.Trim.Zeros;
                _minDigits = 0;
            }

            // nan and inf are right-aligned in the full width; make room if they are wider than the numbers.
            if (finite.Count != shown.Count)
            {
                int offset = _padRight + 1;
                _padLeft = Math.Max(_padLeft, Math.Max(3 - offset, 3 + (negativeInfinity ? 1 : 0) - offset));
            }
        }

        public override string Format(T value)
        {
            if (!T.IsFinite(value))
            {
                string text = T.IsNaN(value) ? "nan" : T.IsNegative(value) ? "-inf" : "inf";
                return text.PadLeft(_padLeft + _padRight + 1);
            }
            return _scientific
                ? Dragon4.Scientific(Parts(value), _precision, _minDigits, _trim, _padLeft, _expSize)
                : Dragon4.Positional(Parts(value), _precision, _minDigits, _trim, _padLeft, _padRight);
        }
    }
}
