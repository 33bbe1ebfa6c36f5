using System.Numerics;
using System.Text;

namespace Dendrite;

/// <summary>
/// Decimal formatting of binary floating-point values exactly as NumPy's <c>dragon4_positional</c> and
/// <c>dragon4_scientific</c> do it (Steele &amp; White / Burger &amp; Dybvig "Dragon4", as in NumPy's
/// <c>dragon4.c</c>): in "unique" mode the digits are the shortest that identify the value among its neighbours
/// of the same type (so a float32 prints as float32, not as the double it widens to), optionally cut off after a
/// maximum number of digits or extended to a minimum number, rounding the last digit half-to-even on the exact value.
/// </summary>
/// <remarks>Exact arithmetic with <see cref="BigInteger"/>; meant for printing, not for hot loops.</remarks>
internal static class Dragon4
{
    /// <summary>NumPy's trim modes: how trailing zeros and the decimal point are treated.</summary>
    internal enum Trim
    {
        /// <summary><c>'k'</c>: keep trailing zeros (and pad with zeros up to the minimum digits).</summary>
        Keep,
        /// <summary><c>'.'</c>: trim trailing zeros, keep the decimal point: <c>1.</c>.</summary>
        Zeros,
        /// <summary><c>'0'</c>: trim trailing zeros but leave one after the point: <c>1.0</c>.</summary>
        LeaveOneZero,
        /// <summary><c>'-'</c>: trim trailing zeros and a trailing point: <c>1</c>.</summary>
        DotAndZeros,
    }

    /// <summary>A finite value as <c>mantissa × 2^exponent</c>, with what Dragon4 needs about its neighbours.</summary>
    internal readonly record struct Parts(ulong Mantissa, int Exponent, int MantissaBit, bool UnequalMargins, bool Negative);

    /// <summary>Splits a finite double into its IEEE-754 parts.</summary>
    public static Parts Decompose(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        ulong fraction = bits & ((1UL << 52) - 1);
        int biased = (int)((bits >> 52) & 0x7FF);
        bool negative = (bits >> 63) != 0;
        if (biased != 0)
            return new Parts((1UL << 52) | fraction, biased - 1023 - 52, 52, biased != 1 && fraction == 0, negative);
        return new Parts(fraction, 1 - 1023 - 52, fraction == 0 ? 0 : BitOperations.Log2(fraction), false, negative);
    }

    /// <summary>Splits a finite float into its IEEE-754 parts (float32 neighbours, not double ones).</summary>
    public static Parts Decompose(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint fraction = bits & ((1U << 23) - 1);
        int biased = (int)((bits >> 23) & 0xFF);
        bool negative = (bits >> 31) != 0;
        if (biased != 0)
            return new Parts((1UL << 23) | fraction, biased - 127 - 23, 23, biased != 1 && fraction == 0, negative);
        return new Parts(fraction, 1 - 127 - 23, fraction == 0 ? 0 : BitOperations.Log2(fraction), false, negative);
    }

    /// <summary>
    /// Positional notation (<c>dragon4_positional</c> with <c>unique=True, fractional=True</c>).
    /// <paramref name="precision"/> is the most digits after the point (-1: no limit), <paramref name="minDigits"/>
    /// the fewest (-1: none); <paramref name="padLeft"/> pads with spaces until that many characters precede the point,
    /// <paramref name="padRight"/> until that many follow it (-1: no padding).
    /// </summary>
    public static string Positional(Parts value, int precision, int minDigits, Trim trim, int padLeft, int padRight)
    {
        var digits = new StringBuilder();
        int exponent = Generate(value, fractional: true, precision, minDigits, digits);
        int numDigits = digits.Length;
        var s = new StringBuilder();
        int hasSign = value.Negative ? 1 : 0;
        if (value.Negative) s.Append('-');

        int numWhole, numFraction;
        if (exponent >= 0)
        {
            numWhole = exponent + 1;
            if (numDigits <= numWhole)
            {
                s.Append(digits).Append('0', numWhole - numDigits);
                numFraction = 0;
            }
            else
            {
                s.Append(digits, 0, numWhole).Append('.').Append(digits, numWhole, numDigits - numWhole);
                numFraction = numDigits - numWhole;
            }
        }
        else
        {
            int leadingZeros = -(exponent + 1);
            s.Append("0.").Append('0', leadingZeros).Append(digits);
            numWhole = 1;
            numFraction = leadingZeros + numDigits;
        }

        if (trim != Trim.DotAndZeros && numFraction == 0) s.Append('.');

        PadFraction(s, ref numFraction, minDigits, trim);

        // Rounding may still leave trailing zeros; remove them as the trim mode says.
        if (trim != Trim.Keep && numFraction > 0)
        {
            while (s[^1] == '0') { s.Length--; numFraction--; }
            if (s[^1] == '.')
            {
                if (trim == Trim.LeaveOneZero) { s.Append('0'); numFraction++; }
                else if (trim == Trim.DotAndZeros) s.Length--;
            }
        }

        if (padRight >= numFraction)
        {
            if (trim == Trim.DotAndZeros && numFraction == 0) s.Append(' ');
            s.Append(' ', padRight - numFraction);
        }
        if (padLeft > numWhole + hasSign) s.Insert(0, " ", padLeft - numWhole - hasSign);
        return s.ToString();
    }

    /// <summary>
    /// NumPy's fraction padding after the digits: one '0' after a bare point for <see cref="Trim.LeaveOneZero"/>, or
    /// zeros up to <paramref name="minDigits"/> fraction digits for <see cref="Trim.Keep"/>.
    /// </summary>
    private static void PadFraction(StringBuilder s, ref int numFraction, int minDigits, Trim trim)
    {
        int wanted = Math.Max(minDigits, 0);
        if (trim == Trim.LeaveOneZero)
        {
            if (numFraction == 0) { s.Append('0'); numFraction++; }
        }
        else if (trim == Trim.Keep && wanted > numFraction)
        {
            s.Append('0', wanted - numFraction);
            numFraction = wanted;
        }
    }

    /// <summary>
    /// Scientific notation (<c>dragon4_scientific</c> with <c>unique=True</c>): <paramref name="precision"/> is the
    /// most digits after the point (-1: no limit), <paramref name="minDigits"/> the fewest (-1: none),
    /// <paramref name="padLeft"/> pads with spaces until that many characters precede the point, and the exponent
    /// gets at least <paramref name="expDigits"/> digits (at least 2 when -1).
    /// </summary>
    public static string Scientific(Parts value, int precision, int minDigits, Trim trim, int padLeft, int expDigits)
    {
        var s = new StringBuilder();
        int leftChars = value.Negative ? 2 : 1;
        if (padLeft > leftChars) s.Append(' ', padLeft - leftChars);
        if (value.Negative) s.Append('-');

        var digits = new StringBuilder();
        int exponent = Generate(value, fractional: false,
            precision < 0 ? -1 : precision + 1, minDigits < 0 ? -1 : minDigits + 1, digits);

        s.Append(digits[0]);
        int numFraction = digits.Length - 1;
        if (numFraction > 0) s.Append('.').Append(digits, 1, numFraction);
        if (trim != Trim.DotAndZeros && numFraction == 0) s.Append('.');

        PadFraction(s, ref numFraction, minDigits, trim);

        if (trim != Trim.Keep && numFraction > 0)
        {
            while (s[^1] == '0') { s.Length--; numFraction--; }
            if (trim == Trim.LeaveOneZero && s[^1] == '.') s.Append('0');
        }

        int width = expDigits < 0 ? 2 : Math.Min(expDigits, 5);
        s.Append('e').Append(exponent < 0 ? '-' : '+');
        s.Append(Math.Abs(exponent).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0'));
        return s.ToString();
    }

    /// <summary>
    /// Writes the decimal digits of |value| into <paramref name="digits"/> and returns the base-10 exponent of the
    /// first one. <paramref name="cutoffMax"/>/<paramref name="cutoffMin"/> (-1 for none) count digits after the
    /// point when <paramref name="fractional"/>, otherwise significant digits.
    /// </summary>
    private static int Generate(Parts value, bool fractional, int cutoffMax, int cutoffMin, StringBuilder digits)
    {
        if (value.Mantissa == 0)
        {
            digits.Append('0');
            return 0;
        }

        // value = scaled / scale; the margins are half the distance to the neighbouring floats (the one above is
        // twice as far when the mantissa is a power of two, i.e. "unequal margins"). Everything is scaled by 4 so
        // that all quantities are integers.
        int e = value.Exponent;
        BigInteger p = e > 0 ? BigInteger.One << e : BigInteger.One;
        BigInteger scaled = new BigInteger(value.Mantissa) * 4 * p;
        BigInteger scale = e > 0 ? new BigInteger(4) : BigInteger.One << (2 - e);
        BigInteger marginHigh = 2 * p;
        BigInteger marginLow = value.UnequalMargins ? p : 2 * p;
        bool isEven = (value.Mantissa & 1) == 0;

        // Estimate of floor(log10(value)) + 1 that is correct or one too small (Burger & Dybvig).
        int k = (int)Math.Ceiling((value.MantissaBit + e) * 0.30102999566398119521373889472449 - 0.69);
        if (cutoffMax >= 0 && fractional && k <= -cutoffMax) k = -cutoffMax + 1;

        if (k > 0) scale *= BigInteger.Pow(10, k);
        else if (k < 0)
        {
            var pow10 = BigInteger.Pow(10, -k);
            scaled *= pow10;
            marginLow *= pow10;
            marginHigh *= pow10;
        }

        if (scaled >= scale) k++;
        else
        {
            scaled *= 10;
            marginLow *= 10;
            marginHigh *= 10;
        }

        int cutoffMaxExponent = int.MinValue;
        if (cutoffMax >= 0) cutoffMaxExponent = fractional ? -cutoffMax : k - cutoffMax;
        int cutoffMinExponent = k;
        if (cutoffMin >= 0) cutoffMinExponent = Math.Min(k, fractional ? -cutoffMin : k - cutoffMin);

        int firstExponent = k - 1;
        int digit;
        bool low, high;
        while (true)
        {
            k--;
            digit = (int)BigInteger.DivRem(scaled, scale, out scaled);
            var scaledHigh = scaled + marginHigh;
            int cmp = scaled.CompareTo(marginLow);
            low = isEven ? cmp <= 0 : cmp < 0;
            cmp = scaledHigh.CompareTo(scale);
            high = isEven ? cmp >= 0 : cmp > 0;
            if (((low || high) && k <= cutoffMinExponent) || k == cutoffMaxExponent) break;
            digits.Append((char)('0' + digit));
            scaled *= 10;
            marginLow *= 10;
            marginHigh *= 10;
        }

        // Round the last digit: toward whichever neighbour stays inside the margins, else to nearest (ties to even).
        bool roundDown = low;
        if (low == high)
        {
            int cmp = (scaled * 2).CompareTo(scale);
            roundDown = cmp < 0 || (cmp == 0 && (digit & 1) == 0);
        }

        if (roundDown) digits.Append((char)('0' + digit));
        else if (digit < 9) digits.Append((char)('0' + digit + 1));
        else
        {
            // Carry through trailing nines; if every digit was a nine the value becomes 1 at the next exponent.
            while (true)
            {
                if (digits.Length == 0)
                {
                    digits.Append('1');
                    firstExponent++;
                    break;
                }
                char last = digits[^1];
                digits.Length--;
                if (last != '9')
                {
                    digits.Append((char)(last + 1));
                    break;
                }
            }
        }
        return firstExponent;
    }
}
