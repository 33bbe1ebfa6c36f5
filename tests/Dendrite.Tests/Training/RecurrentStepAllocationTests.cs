using Dendrite.Layers;
using Dendrite.Training;

namespace Dendrite.Tests.Training;

/// <summary>
/// A replayed training step through recurrent layers allocates nothing: every buffer of the fused op (states, gates,
/// their gradients, dropout masks) is taken when the step is recorded and reused by every replay.
/// </summary>
[Collection(GlobalStateCollection.Name)] // alone, for the reason StepAllocationTests gives
public class RecurrentStepAllocationTests
{
    public static TheoryData<string> Models() => new() { "lstm", "gru, masked, dropout", "gru reset before, recurrent dropout", "bidirectional simple rnn, states" };

    private static Model Make(string description)
    {
        switch (description)
        {
            case "lstm":
                return new Sequential(new InputLayer([7, 5]), new LSTM(16), new Dense(3, activation: "softmax"));
            case "gru, masked, dropout":
                return new Sequential(new InputLayer([7, 5]), new Masking(), new GRU(16, dropout: 0.2, returnSequences: true, seed: 1), new GRU(8), new Dense(3, activation: "softmax"));
            case "gru reset before, recurrent dropout":
                return new Sequential(new InputLayer([7, 5]), new GRU(16, resetAfter: false, recurrentDropout: 0.3, seed: 2), new Dense(3, activation: "softmax"));
            default:
                var inputs = new Input([7, 5]);
                var encoded = new SimpleRNN(6, returnSequences: true, returnState: true).CallAll(inputs);
                var both = new Bidirectional(new SimpleRNN(4)).Call(encoded[0]);
                var merged = new Concatenate().Call(both, encoded[1]);
                return new Model(inputs, new Dense(3, activation: "softmax").Call(merged));
        }
    }

    [Theory, MemberData(nameof(Models))]
    public void SteadyStateStepsAllocateNothing(string description)
    {
        var (x, y) = StepAllocationTests.RandomData(seed: 5, n: 200, features: 35, classes: 3);
        var model = Make(description);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var session = new TrainingSession(model, x.Reshape(200, 7, 5), y, batchSize: 32);
        int[] full = [.. Enumerable.Range(0, 32)];
        int[] partial = [.. Enumerable.Range(32, 9)];
        for (int i = 0; i < 5; i++) { session.Step(full); session.Step(partial); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) { session.Step(full); session.Step(partial); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
