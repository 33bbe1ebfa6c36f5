// A Transformer encoder learns to sort: two blocks of multi-head self-attention written as keras.io's "Text
// classification with Transformer" example writes them (see SortingTransformer.cs), trained on generated sequences
// of 10 digits whose answer is known: at every position, the digit the sorted sequence has there.
using Dendrite;
using Dendrite.Samples.Transformer;

Utils.SetRandomSeed(13);
var (x, y) = SortingTransformer.Generate(20_000, seed: 1);
var (xTest, yTest) = SortingTransformer.Generate(2_000, seed: 2);

var model = SortingTransformer.Build();
model.Summary();
model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
model.Fit(x, y, epochs: 12, batchSize: 64, validationSplit: 0.1);

var (loss, accuracy) = model.Evaluate(xTest, yTest);
Console.WriteLine($"Held-out token accuracy: {accuracy:F4} (loss {loss:F4})");

// One held-out sequence, its prediction (the likeliest digit at each position) and the answer.
var probabilities = model.Predict(xTest[0..1]).ToArray(); // (1, 10, 10)
var predicted = Enumerable.Range(0, SortingTransformer.Length)
    .Select(t => Array.IndexOf(probabilities, probabilities.Skip(t * 10).Take(10).Max(), t * 10) - t * 10);
Console.WriteLine($"input:     {string.Join(" ", xTest[0..1].ToArray())}");
Console.WriteLine($"predicted: {string.Join(" ", predicted)}");
Console.WriteLine($"expected:  {string.Join(" ", yTest[0..1].ToArray())}");
