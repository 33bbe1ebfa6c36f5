namespace Dendrite.Tests;

public class ShapeTests
{
    [Theory]
    [InlineData(new[] { 60000, 28, 28 }, "(60000, 28, 28)")]
    [InlineData(new[] { 60000 }, "(60000,)")]
    [InlineData(new int[0], "()")]
    public void PrintsLikeNumPy(int[] dims, string expected) => Assert.Equal(expected, new Shape(dims).ToString());
}
