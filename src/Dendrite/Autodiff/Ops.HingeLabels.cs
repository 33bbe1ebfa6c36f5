namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Keras' <c>convert_binary_labels_to_hinge</c>: when every target is 0 or 1, they become −1 and 1 (2t − 1);
    /// otherwise they pass unchanged. Decided on every forward pass, so a replayed training step decides per batch.
    /// </summary>
    internal static Tensor HingeLabels(Tensor yTrue)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        return Run(new HingeLabelsOp(yTrue), yTrue.Shape, yTrue.RequiresGrad);
    }

    private sealed class HingeLabelsOp(Tensor yTrue) : Op
    {
        private bool _binary;

        public override void Forward()
        {
            var t = yTrue.Values; var y = Output.Values;
            _binary = true;
            foreach (float v in t)
                if (v != 0f && v != 1f) { _binary = false; break; }
            for (int i = 0; i < t.Length; i++) y[i] = _binary ? 2f * t[i] - 1f : t[i];
        }

        public override void Backward(int generation)
        {
            var dt = yTrue.GradForWrite(generation, out bool fresh); var dy = Output.Grad;
            float scale = _binary ? 2f : 1f;
            for (int i = 0; i < dt.Length; i++) dt[i] = fresh ? scale * dy[i] : dt[i] + scale * dy[i];
        }
    }
}
