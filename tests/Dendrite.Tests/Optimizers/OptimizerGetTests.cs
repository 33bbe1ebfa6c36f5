using Dendrite.Optimizers;

namespace Dendrite.Tests.Optimizers;

public class OptimizerGetTests
{
    [Theory]
    [InlineData("sgd", typeof(SGD))]
    [InlineData("rmsprop", typeof(RMSprop))]
    [InlineData("adam", typeof(Adam))]
    [InlineData("adamw", typeof(AdamW))]
    [InlineData("adagrad", typeof(Adagrad))]
    [InlineData("adadelta", typeof(Adadelta))]
    [InlineData("nadam", typeof(Nadam))]
    public void KerasNamesGiveTheOptimizerWithItsDefaults(string name, Type type)
    {
        var optimizer = Optimizer.Get(name);
        Assert.IsType(type, optimizer);
        Assert.Equal(name, optimizer.Name);
        Assert.Equal(name, optimizer.ToString());
        Assert.IsType(type, Optimizer.Get(type.Name));   // Keras also accepts the class name, "AdamW"
        Optimizer converted = name;
        Assert.IsType(type, converted);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => Optimizer.Get("adamax"));
        Assert.Contains("'adamax'", error.Message);
        foreach (var name in new[] { "sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "nadam" })
            Assert.Contains(name, error.Message);
        Assert.Equal(7, Optimizer.KnownNames.Count);
    }
}
