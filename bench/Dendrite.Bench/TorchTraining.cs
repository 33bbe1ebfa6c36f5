using TorchSharp;

namespace Dendrite.Bench;

/// <summary>The TorchSharp side's training loop, shared by the dense and the convnet benchmarks.</summary>
internal static class TorchTraining
{
    /// <summary>
    /// One epoch over the first <paramref name="samples"/> rows of <paramref name="x"/>/<paramref name="y"/>, in
    /// batches of <paramref name="batch"/> drawn from a fresh permutation by <c>index_select</c>, tracking per step
    /// what Keras' fit tracks: the loss (summed over samples) and the number of correct predictions.
    /// </summary>
    public static (double LossSum, long Correct) Epoch(torch.nn.Module<torch.Tensor, torch.Tensor> model, torch.optim.Optimizer optimizer,
        torch.nn.Module<torch.Tensor, torch.Tensor, torch.Tensor> lossFunction, torch.Tensor x, torch.Tensor y, int samples, int batch)
    {
        using var permutation = torch.randperm(samples);
        double lossSum = 0;
        long correct = 0;
        for (int first = 0; first < samples; first += batch)
        {
            int rows = Math.Min(batch, samples - first);
            using var scope = torch.NewDisposeScope();
            var index = permutation.narrow(0, first, rows);
            var xb = x.index_select(0, index);
            var yb = y.index_select(0, index);
            optimizer.zero_grad();
            var logits = model.forward(xb);
            var loss = lossFunction.forward(logits, yb);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * rows;
            correct += logits.argmax(1).eq(yb).sum().item<long>();
        }
        return (lossSum, correct);
    }
}
