using System.Numerics;
using System.Text.RegularExpressions;
using Dendrite.Autodiff;

namespace Dendrite.Optimizers;

// Keras' base-optimizer options that act before the update rule: gradient clipping and decoupled weight decay.
public abstract partial class Optimizer
{
    private double? _clipnorm, _clipvalue, _globalClipnorm, _weightDecay;

    /// <summary>
    /// If set, each variable's gradient g is clipped to norm at most c as Keras does it: <c>g·c / max(‖g‖₂, c)</c>
    /// (Keras' <c>clipnorm</c>). At most one of <see cref="Clipnorm"/>, <see cref="Clipvalue"/> and
    /// <see cref="GlobalClipnorm"/> may be set. Must be positive and finite (Keras silently ignores 0 and negatives).
    /// </summary>
    /// <remarks>The squared norm is accumulated in float64 and then rounded to float32 (Keras sums in float32); the
    /// clipping itself is float32 like Keras'.</remarks>
    public double? Clipnorm
    {
        get => _clipnorm;
        init => _clipnorm = CheckClip(value, nameof(Clipnorm), "clipnorm");
    }

    /// <summary>
    /// If set, every gradient element is clipped to [−v, v] (Keras' <c>clipvalue</c>). Exclusive with
    /// <see cref="Clipnorm"/> and <see cref="GlobalClipnorm"/>; positive and finite.
    /// </summary>
    public double? Clipvalue
    {
        get => _clipvalue;
        init => _clipvalue = CheckClip(value, nameof(Clipvalue), "clipvalue");
    }

    /// <summary>
    /// If set, all gradients are scaled together so that their global norm (the norm of all of them as one vector) is
    /// at most c: each is multiplied by <c>c·min(1/‖G‖, 1/c)</c>, and by NaN when that norm is not finite, as in Keras'
    /// <c>global_clipnorm</c>. Exclusive with <see cref="Clipnorm"/> and <see cref="Clipvalue"/>; positive and finite.
    /// </summary>
    /// <remarks>The squared norm is accumulated in float64 over all variables, then rounded to float32.</remarks>
    public double? GlobalClipnorm
    {
        get => _globalClipnorm;
        init => _globalClipnorm = CheckClip(value, nameof(GlobalClipnorm), "global_clipnorm");
    }

    /// <summary>
    /// If set, every variable (but those excluded with <see cref="ExcludeFromWeightDecay"/>) decays before the update
    /// as in Keras' base optimizer: <c>w ← w − w·wd·lr</c> in float32, with this update's learning rate. Must be
    /// non-negative and finite. <see cref="AdamW"/> is Adam with this set (0.004 by default).
    /// </summary>
    public double? WeightDecay
    {
        get => _weightDecay;
        init
        {
            if (value is null && RequiresWeightDecay)
                throw new ArgumentNullException(nameof(WeightDecay), $"{Name} needs a weight decay. Received: weight_decay=None");
            if (value is double wd && !(wd >= 0 && double.IsFinite(wd)))
                throw new ArgumentOutOfRangeException(nameof(WeightDecay), FormattableString.Invariant($"weight_decay must be a non-negative finite number. Received: weight_decay={wd}"));
            _weightDecay = value;
        }
    }

    /// <summary>Whether <see cref="WeightDecay"/> may not be null (AdamW, as Keras raises for <c>weight_decay=None</c>).</summary>
    private protected virtual bool RequiresWeightDecay => false;

    private double? CheckClip(double? value, string paramName, string kerasName)
    {
        if (value is double v && !(v > 0 && double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"{kerasName} must be a positive finite number. Received: {kerasName}={v}"));
        // Keras: "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set."
        int others = (_clipnorm is null || kerasName == "clipnorm" ? 0 : 1) + (_clipvalue is null || kerasName == "clipvalue" ? 0 : 1)
                   + (_globalClipnorm is null || kerasName == "global_clipnorm" ? 0 : 1);
        if (value is not null && others > 0)
            throw new ArgumentException(FormattableString.Invariant($"Only one of clipnorm, clipvalue and global_clipnorm can be set. Received: clipnorm={Show(kerasName == "clipnorm" ? value : _clipnorm)}, clipvalue={Show(kerasName == "clipvalue" ? value : _clipvalue)}, global_clipnorm={Show(kerasName == "global_clipnorm" ? value : _globalClipnorm)}"), paramName);
        return value;

        static string Show(double? x) => x is double d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None";
    }

    private HashSet<Variable>? _excludedVariables;
    private Regex? _excludedNames;

    /// <summary>
    /// Leaves out of weight decay the given <paramref name="variables"/> and every variable whose name contains a match
    /// of one of the regular expressions <paramref name="names"/> (Keras' <c>exclude_from_weight_decay(var_list,
    /// var_names)</c>; e.g. <c>names: ["bias"]</c>). Each call replaces the previous exclusions. Only before the first
    /// update, because the choice is fixed when the optimizer builds its state.
    /// </summary>
    public void ExcludeFromWeightDecay(IEnumerable<Variable>? variables = null, IEnumerable<string>? names = null)
    {
        if (_variables is not null)
            throw new InvalidOperationException($"ExcludeFromWeightDecay can only be called before {Name} is built (before its first update).");
        _excludedVariables = variables is null ? null : new HashSet<Variable>(variables, ReferenceEqualityComparer.Instance);
        var patterns = names?.Distinct().ToArray();
        _excludedNames = patterns is { Length: > 0 } ? new Regex(string.Join("|", patterns), RegexOptions.CultureInvariant) : null;
    }

    // Per-variable state fixed at build time, so that an update allocates nothing.
    private bool[] _decays = [];
    private float[] _clipDivisors = [];
    private float _globalClipScale;
    private float[][] _clipScratch = [];
    private int _largestVariable;

    private void BuildGradientProcessing(Variable[] variables)
    {
        _decays = new bool[variables.Length];
        for (int i = 0; i < variables.Length; i++)
            _decays[i] = _weightDecay is not null && _excludedVariables?.Contains(variables[i]) != true && _excludedNames?.IsMatch(variables[i].Name) != true;
        _clipDivisors = new float[variables.Length];
        _largestVariable = variables.Length == 0 ? 0 : variables.Max(v => v.Shape.Size);
    }

    private bool Clips => _clipnorm is not null || _clipvalue is not null || _globalClipnorm is not null;

    /// <summary>Makes sure each of <paramref name="parts"/> slices has room for its clipped gradient (allocates only when that grows).</summary>
    private void EnsureClipScratch(int parts)
    {
        if (!Clips) return;
        // A slice holds at most ceil(size/parts) + 63 elements (its ends are rounded down to multiples of 64).
        int needed = parts == 1 ? _largestVariable : (_largestVariable + parts - 1) / parts + 64;
        if (_clipScratch.Length < parts) Array.Resize(ref _clipScratch, parts);
        for (int p = 0; p < parts; p++)
            if (_clipScratch[p] is null || _clipScratch[p].Length < needed) _clipScratch[p] = new float[needed];
    }

    /// <summary>The norms that clipping needs, from the gradients that this update will use.</summary>
    private void ComputeClipScales(IReadOnlyList<Variable> variables, int? generation)
    {
        if (_clipnorm is double clipnorm)
        {
            float c = (float)clipnorm;
            for (int i = 0; i < variables.Count; i++)
            {
                var value = variables[i].Value;
                if (!HasGradient(value, generation)) continue;
                float l2sum = (float)SumOfSquares(GradientOf(i, value));
                // Keras: the norm is sqrt(l2sum) when l2sum > 0, else l2sum itself (0, or NaN passed through).
                float l2norm = l2sum > 0 ? MathF.Sqrt(l2sum) : l2sum;
                _clipDivisors[i] = MathF.Max(l2norm, c);
            }
        }
        else if (_globalClipnorm is double globalClipnorm)
        {
            double sum = 0;
            for (int i = 0; i < variables.Count; i++)
                if (HasGradient(variables[i].Value, generation)) sum += SumOfSquares(GradientOf(i, variables[i].Value));
            float norm = MathF.Sqrt((float)sum), c = (float)globalClipnorm;
            // Keras' clip_by_global_norm: scale = c·min(1/norm, 1/c), plus (norm − norm) to turn an infinite or NaN
            // norm into a NaN scale. A zero norm gives 1/0 = ∞, so the scale is c·(1/c).
            _globalClipScale = c * MathF.Min(1f / norm, 1f / c) + (norm - norm);
        }
    }

    /// <summary>Σ x² in float64, in a fixed order (so the result does not depend on threads).</summary>
    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        int i = 0;
        var acc = Vector<double>.Zero;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(values.Slice(i)), out var low, out var high);
            acc += low * low + high * high;
        }
        double sum = Vector.Sum(acc);
        for (; i < values.Length; i++) sum += (double)values[i] * values[i];
        return sum;
    }

    /// <summary>The gradient slice as the update must see it: itself, or its clipped copy in this part's scratch.</summary>
    private ReadOnlySpan<float> ClipGradient(int index, ReadOnlySpan<float> gradient, int part)
    {
        if (!Clips) return gradient;
        var clipped = _clipScratch[part].AsSpan(0, gradient.Length);
        if (_clipnorm is double clipnorm)
        {
            // Keras' order: (g·c) / max(norm, c), so a gradient below the threshold comes back as g·c/c (float32).
            float c = (float)clipnorm, divisor = _clipDivisors[index];
            for (int i = 0; i < gradient.Length; i++) clipped[i] = gradient[i] * c / divisor;
        }
        else if (_globalClipnorm is not null)
        {
            float scale = _globalClipScale;
            for (int i = 0; i < gradient.Length; i++) clipped[i] = gradient[i] * scale;
        }
        else
        {
            float v = (float)_clipvalue!.Value;
            for (int i = 0; i < gradient.Length; i++) clipped[i] = MathF.Min(MathF.Max(gradient[i], -v), v);
        }
        return clipped;
    }

    /// <summary>Keras' decoupled weight decay, <c>w ← w − w·wd·lr</c> in float32, for a variable that takes it.</summary>
    private void DecayWeights(int index, Span<float> w, float learningRate)
    {
        if (!_decays[index]) return;
        float wd = (float)_weightDecay!.Value;
        for (int i = 0; i < w.Length; i++) w[i] -= w[i] * wd * learningRate;
    }
}
