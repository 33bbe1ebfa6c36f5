using static Dendrite.Tests.Arrays.ArrayTestData;

namespace Dendrite.Tests.Arrays;

// Expected strings are NumPy's str(a) with default print options. Sources, per test:
//  [suite]  numpy/_core/tests/test_arrayprint.py (test_summarize_1d, test_summarize_2d, test_float_spacing,
//           test_sign_spacing; repr strings there are turned into str by dropping "array(" and the commas)
//  [scalar] numpy/_core/tests/test_scalarprint.py (TestRealScalars.test_str, test_scalar_cutoffs = Python's repr)
//  [docs]   numpy.format_float_positional / numpy.format_float_scientific docstring examples
//  [brief]  examples given in this project's specification
//  [numpy]  output of print(a) in NumPy (checked with NumPy 1.24; arrayprint's algorithm is unchanged in 2.x for
//           these cases)
public class PrintingTests
{
    private static string Str<T>(NDArray<T> a) where T : unmanaged, System.Numerics.INumber<T> => a.ToString();

    [Fact]
    public void SmallIntegerArray()
    {
        Assert.Equal("[0 1 2]", Str(Arange(3)));                                 // [suite] test_basic
        Assert.Equal("[-5  3 12]", Str(new NDArray<int>([-5, 3, 12])));          // [numpy]
        Assert.Equal("[  7 255]", Str(new NDArray<byte>([7, 255])));             // [numpy]
    }

    [Fact]
    public void TwoDimensionalIntegers()
    {
        // [brief] np.arange(12).reshape(3,4)
        Assert.Equal("[[ 0  1  2  3]\n [ 4  5  6  7]\n [ 8  9 10 11]]", Str(Arange(12, 3, 4)));
    }

    [Fact]
    public void ThreeDimensionalBlocksAreSeparatedByABlankLine()
    {
        // [numpy] np.arange(24).reshape(2,3,4)
        Assert.Equal(
            "[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]",
            Str(Arange(24, 2, 3, 4)));
    }

    [Fact]
    public void FourDimensionalBlocksAreSeparatedByTwoBlankLines()
    {
        // [numpy] np.arange(16).reshape(2,2,2,2)
        Assert.Equal(
            "[[[[ 0  1]\n   [ 2  3]]\n\n  [[ 4  5]\n   [ 6  7]]]\n\n\n [[[ 8  9]\n   [10 11]]\n\n  [[12 13]\n   [14 15]]]]",
            Str(Arange(16, 2, 2, 2, 2)));
    }

    [Fact]
    public void LongRowsWrapAtSeventyFiveColumns()
    {
        // [numpy] np.arange(10, 40): 30 two-digit numbers
        var x = new NDArray<int>(Enumerable.Range(10, 30).ToArray());
        Assert.Equal(
            "[10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33\n 34 35 36 37 38 39]",
            Str(x));
    }

    [Fact]
    public void WrappedFloatRowsKeepTheirAlignment()
    {
        // [numpy] np.linspace(0, 1, 20)
        var x = new NDArray<double>(Enumerable.Range(0, 20).Select(i => i / 19.0).ToArray());
        Assert.Equal(
            "[0.         0.05263158 0.10526316 0.15789474 0.21052632 0.26315789\n" +
            " 0.31578947 0.36842105 0.42105263 0.47368421 0.52631579 0.57894737\n" +
            " 0.63157895 0.68421053 0.73684211 0.78947368 0.84210526 0.89473684\n" +
            " 0.94736842 1.        ]",
            Str(x));
    }

    [Fact]
    public void LargeOneDimensionalArraysAreSummarised()
    {
        Assert.Equal("[   0    1    2 ...  998  999 1000]", Str(Arange(1001)));   // [suite] test_summarize_1d
        Assert.Equal("[   0    1    2 ... 1997 1998 1999]", Str(Arange(2000)));   // [numpy] np.arange(2000)
        Assert.Equal("[0 1 2 ... 7 8 9]", Str(Arange(2000) - Arange(2000) / 10 * 10)); // widths from shown items only
    }

    [Fact]
    public void LargeTwoDimensionalArraysAreSummarised()
    {
        // [suite] test_summarize_2d: np.arange(1002).reshape(2, 501)
        Assert.Equal(
            "[[   0    1    2 ...  498  499  500]\n [ 501  502  503 ...  999 1000 1001]]",
            Str(Arange(1002, 2, 501)));
        // [numpy] np.arange(3000).reshape(1000, 3): the "..." row stands on its own line
        Assert.Equal(
            "[[   0    1    2]\n [   3    4    5]\n [   6    7    8]\n ...\n [2991 2992 2993]\n [2994 2995 2996]\n [2997 2998 2999]]",
            Str(Arange(3000, 1000, 3)));
    }

    [Fact]
    public void MnistLikeImagesAreSummarisedOnEveryAxis()
    {
        // [numpy] (np.arange(10*28*28) % 256).astype(np.uint8).reshape(10, 28, 28)
        var images = new NDArray<byte>(Enumerable.Range(0, 10 * 28 * 28).Select(i => (byte)(i % 256)).ToArray(), 10, 28, 28);
        string expected =
            "[[[  0   1   2 ...  25  26  27]\n  [ 28  29  30 ...  53  54  55]\n  [ 56  57  58 ...  81  82  83]\n  ...\n" +
            "  [188 189 190 ... 213 214 215]\n  [216 217 218 ... 241 242 243]\n  [244 245 246 ...  13  14  15]]\n\n" +
            " [[ 16  17  18 ...  41  42  43]\n  [ 44  45  46 ...  69  70  71]\n  [ 72  73  74 ...  97  98  99]\n  ...\n" +
            "  [204 205 206 ... 229 230 231]\n  [232 233 234 ...   1   2   3]\n  [  4   5   6 ...  29  30  31]]\n\n" +
            " [[ 32  33  34 ...  57  58  59]\n  [ 60  61  62 ...  85  86  87]\n  [ 88  89  90 ... 113 114 115]\n  ...\n" +
            "  [220 221 222 ... 245 246 247]\n  [248 249 250 ...  17  18  19]\n  [ 20  21  22 ...  45  46  47]]\n\n" +
            " ...\n\n" +
            " [[112 113 114 ... 137 138 139]\n  [140 141 142 ... 165 166 167]\n  [168 169 170 ... 193 194 195]\n  ...\n" +
            "  [ 44  45  46 ...  69  70  71]\n  [ 72  73  74 ...  97  98  99]\n  [100 101 102 ... 125 126 127]]\n\n" +
            " [[128 129 130 ... 153 154 155]\n  [156 157 158 ... 181 182 183]\n  [184 185 186 ... 209 210 211]\n  ...\n" +
            "  [ 60  61  62 ...  85  86  87]\n  [ 88  89  90 ... 113 114 115]\n  [116 117 118 ... 141 142 143]]\n\n" +
            " [[144 145 146 ... 169 170 171]\n  [172 173 174 ... 197 198 199]\n  [200 201 202 ... 225 226 227]\n  ...\n" +
            "  [ 76  77  78 ... 101 102 103]\n  [104 105 106 ... 129 130 131]\n  [132 133 134 ... 157 158 159]]]";
        Assert.Equal(expected, Str(images));
    }

    [Fact]
    public void FloatsUseTheShortestDigitsPaddedToAlignThePoint()
    {
        Assert.Equal("[0.1  0.25 1.  ]", Str(new NDArray<float>([0.1f, 0.25f, 1f])));     // [brief]
        Assert.Equal("[1. 2. 3.]", Str(new NDArray<double>([1, 2, 3])));                 // [suite] test_float_spacing
        Assert.Equal("[  1.   2. -10.]", Str(new NDArray<double>([1, 2, -10])));         // [suite]
        Assert.Equal("[100.   2.  -1.]", Str(new NDArray<double>([100, 2, -1])));        // [suite]
        Assert.Equal("[-100.    2.    1.]", Str(new NDArray<double>([-100, 2, 1])));     // [suite]
        Assert.Equal("[ 0. -0.]", Str(new NDArray<double>([0.0, -0.0])));                // [suite] test_sign_spacing
        Assert.Equal("[-0.   1.5]", Str(new NDArray<double>([-0.0, 1.5])));              // [numpy]
    }

    [Fact]
    public void FloatsAreCutAtEightFractionalDigits()
    {
        // [numpy] np.array([1/3, 2/3, 10])
        Assert.Equal("[ 0.33333333  0.66666667 10.        ]", Str(new NDArray<double>([1.0 / 3, 2.0 / 3, 10])));
        // [numpy] np.array([0.1, 0.2, 0.3], dtype=np.float32) * 3: float32 digits, not float64 ones
        Assert.Equal("[0.3        0.6        0.90000004]", Str(new NDArray<float>([0.1f, 0.2f, 0.3f]) * 3f));
        // [numpy] np.array([2**-9, 3 * 2**-9, 1]): exact ties at the 9th digit round half to even (down, then up)
        Assert.Equal("[0.00195312 0.00585938 1.        ]", Str(new NDArray<double>([0.001953125, 0.005859375, 1])));
    }

    [Fact]
    public void MixedMagnitudesSwitchToScientificNotation()
    {
        Assert.Equal("[1.0e-05 1.5e+00 1.0e+02]", Str(new NDArray<double>([1e-5, 1.5, 100])));  // [numpy] min < 1e-4
        Assert.Equal("[1.e+08 1.e+00]", Str(new NDArray<double>([1e8, 1])));                    // [numpy] max >= 1e8
        Assert.Equal("[1.234e+09]", Str(new NDArray<double>([1.234e9])));                       // [suite] test_sign_spacing
        Assert.Equal("[-1.e-05  1.e+00]", Str(new NDArray<double>([-1e-5, 1])));                 // [numpy]
        Assert.Equal("[1.e+100 1.e+000]", Str(new NDArray<double>([1e100, 1])));                // [numpy] 3-digit exponents
        // [numpy] float32 with a minimum of 8 fractional digits prints the extra exact digits of 1e-5f
        Assert.Equal("[9.9999997e-06 1.1000000e+00 1.2345678e+00]", Str(new NDArray<float>([1e-5f, 1.1f, 1.2345678f])));
        // [numpy] ratio max/min > 1000 among the *shown* elements of a summarised array: np.arange(2000) / 4
        Assert.Equal("[0.0000e+00 2.5000e-01 5.0000e-01 ... 4.9925e+02 4.9950e+02 4.9975e+02]", Str(ArangeDouble(2000) / 4.0));
    }

    [Fact]
    public void NanAndInfinityAreRightAligned()
    {
        Assert.Equal("[nan inf]", Str(new NDArray<double>([double.NaN, double.PositiveInfinity])));      // [suite]
        Assert.Equal("[ nan -inf]", Str(new NDArray<double>([double.NaN, double.NegativeInfinity])));    // [suite]
        Assert.Equal("[nan inf]", Str(new NDArray<float>([float.NaN, float.PositiveInfinity])));         // [numpy]
        Assert.Equal("[1.5   nan -inf 0.25]", Str(new NDArray<double>([1.5, double.NaN, double.NegativeInfinity, 0.25]))); // [numpy]
        Assert.Equal("[[1.5e+00     nan]\n [   -inf 1.0e-07]]",
            Str(new NDArray<double>([1.5, double.NaN, double.NegativeInfinity, 1e-7], 2, 2)));            // [numpy]
    }

    [Fact]
    public void ZeroDimensionalArraysPrintTheirScalar()
    {
        NDArray<T> Scalar<T>(T value) where T : unmanaged, System.Numerics.INumber<T> => new NDArray<T>([value]).Reshape();
        Assert.Equal("0.99997", Str(Scalar(0.99997f)));     // [brief] float32 shortest round-trip digits
        Assert.Equal("1.0", Str(Scalar(1.0)));              // [scalar] test_str
        Assert.Equal("-0.0", Str(Scalar(-0.0f)));           // [scalar] test_str
        Assert.Equal("-inf", Str(Scalar(double.NegativeInfinity))); // [scalar] test_str
        Assert.Equal("nan", Str(Scalar(float.NaN)));        // [scalar] test_str
        Assert.Equal("1e-05", Str(Scalar(1e-5)));           // [scalar] test_scalar_cutoffs (Python's repr)
        Assert.Equal("0.0001", Str(Scalar(1e-4)));          // [scalar]
        Assert.Equal("1000000000000000.0", Str(Scalar(1e15))); // [scalar]
        Assert.Equal("1e+16", Str(Scalar(1e16)));           // [scalar]
        Assert.Equal("1.1234567890123457", Str(Scalar(1.12345678901234567890))); // [scalar]
        Assert.Equal("42", Str(Scalar(42)));                // [numpy]
        Assert.Equal("7", Str(Scalar((byte)7)));            // [numpy]
        Assert.Equal("-9000000000", Str(Scalar(-9_000_000_000L)));
    }

    [Fact]
    public void EmptyArraysPrintEmptyBrackets()
    {
        Assert.Equal("[]", Str(NDArray<double>.Zeros(0)));
        Assert.Equal("[]", Str(NDArray<int>.Zeros(2, 0)));  // [numpy] np.zeros((2, 0))
    }

    [Fact]
    public void StridedViewsPrintTheirOwnElements()
    {
        var view = new NDArray<int>(Enumerable.Range(0, 12).ToArray(), 0, new Shape(3, 2), [4, 2]);
        Assert.Equal("[[ 0  2]\n [ 4  6]\n [ 8 10]]", Str(view));
        Assert.Equal("[4 6]", Str(view[1]));
    }

    [Fact]
    public void PrintingIgnoresTheCurrentCulture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // The process runs in invariant-globalization mode, so build a hostile culture by hand.
            var hostile = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            hostile.NumberFormat.NumberDecimalSeparator = ",";
            hostile.NumberFormat.NegativeSign = "~";
            System.Globalization.CultureInfo.CurrentCulture = hostile;
            Assert.Equal("[-0.1   0.25  1.  ]", Str(new NDArray<float>([-0.1f, 0.25f, 1f])));
            Assert.Equal("[-5  3 12]", Str(new NDArray<long>([-5, 3, 12])));
            Assert.Equal("-0.5", Str(new NDArray<double>([-0.5]).Reshape()));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    // [docs] np.format_float_positional(np.float32(np.pi)) == '3.1415927'
    [InlineData(false, -1, "3.1415927")]
    // [docs] np.format_float_scientific(np.float32(np.pi)) == '3.1415927e+00'
    [InlineData(true, -1, "3.1415927e+00")]
    public void Dragon4MatchesNumPysDocExamplesForFloat32Pi(bool scientific, int expDigits, string expected)
    {
        var parts = Dragon4.Decompose((float)Math.PI);
        string text = scientific
            ? Dragon4.Scientific(parts, -1, -1, Dragon4.Trim.Keep, -1, expDigits)
            : Dragon4.Positional(parts, -1, -1, Dragon4.Trim.Keep, -1, -1);
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Dragon4PadsTheExponent()
    {
        // [docs] np.format_float_scientific(np.float32(1.23e24), exp_digits=4) == '1.23e+0024'
        Assert.Equal("1.23e+0024", Dragon4.Scientific(Dragon4.Decompose(1.23e24f), -1, -1, Dragon4.Trim.Keep, -1, 4));
    }
}
