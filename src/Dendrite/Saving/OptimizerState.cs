using Dendrite.Autodiff;

namespace Dendrite.Saving;

/// <summary>
/// The optimizer's part of a weights file, <c>optimizer/vars/&lt;i&gt;</c>, in Keras' order: the iteration count
/// (int64 scalar), the learning rate (float32 scalar), then the per-variable slots (RMSprop: the velocities; SGD with
/// momentum: the momentums).
/// </summary>
internal static class OptimizerState
{
    /// <summary>What is written for an optimizer.</summary>
    /// <remarks>With a learning-rate schedule Keras keeps no learning-rate variable: <see cref="Snapshot.LearningRate"/> is then null and not written.</remarks>
    internal sealed record Snapshot(string Name, long Iterations, float? LearningRate, IReadOnlyList<(float[] Values, Shape Shape)> Slots);

    /// <summary>
    /// The state to save for <paramref name="model"/>'s optimizer: none without one; only the iteration count and the
    /// learning rate before its first update (what Keras has then too); nothing when the optimizer does not expose its
    /// slots.
    /// </summary>
    public static Snapshot? Capture(Model model)
    {
        if (model.Optimizer is not { } optimizer) return null;
        var built = optimizer.BuiltVariables;
        float? rate = optimizer.Schedule is null ? optimizer.LearningRate : null;
        if (built is null) return new Snapshot(optimizer.Name, optimizer.StepCount, rate, []);
        if (optimizer.SavedState is not { } state) return null;
        return new Snapshot(optimizer.Name, optimizer.StepCount, rate,
            state.Select(s => (s.Values, SlotShape(built, s.Variable))).ToList());
    }

    /// <summary>
    /// Reads and checks the optimizer's stored state; returns what sets it, or null when it is to be left alone.
    /// As Keras' <c>load_own_variables</c>, a different number of variables skips the optimizer with a warning (an
    /// optimizer built for other variables or of another kind); a slot of the wrong shape is an error.
    /// </summary>
    public static Action? PlanRestore(Model model, H5WeightsSource source) =>
        PlanRestore(model, source.Variables(KerasLayout.OptimizerVars) ?? [], source);

    /// <summary>As above, for the optimizer's variables already listed in Keras' order (a legacy <c>.h5</c> file's <c>optimizer_weights</c>).</summary>
    public static Action? PlanRestore(Model model, IReadOnlyList<StoredVariable> stored, H5WeightsSource source)
    {
        if (model.Optimizer is not { } optimizer) return null; // Keras only visits an existing optimizer
        var built = optimizer.BuiltVariables;
        List<(int Variable, float[] Values)> slots = [];
        if (built is not null)
        {
            if (optimizer.SavedState is not { } state)
            {
                SavingWarnings.Warn($"Skipping variable loading for optimizer '{optimizer.Name}': Dendrite does not restore the state of this optimizer from weights files.");
                return null;
            }
            if (!built.SequenceEqual(model.TrainableWeights, ReferenceEqualityComparer.Instance))
            {
                SavingWarnings.Warn($"Skipping variable loading for optimizer '{optimizer.Name}', because it was built for the variables of another model.");
                return null;
            }
            slots = state.ToList();
        }
        // iteration, learning_rate (absent under a schedule), then the slots.
        int first = optimizer.Schedule is null ? 2 : 1;
        // A model saved before its first update holds only the iteration count and learning rate: restore those.
        if (stored.Count == first) slots = [];
        int expected = first + slots.Count;
        if (stored.Count != expected)
        {
            string why = built is null && stored.Count > 2 ? " This is likely because the optimizer has not been called/built yet (it builds on its first training step)." : "";
            SavingWarnings.Warn($"Skipping variable loading for optimizer '{optimizer.Name}', because it has {expected} variables whereas the saved optimizer has {stored.Count} variables.{why}");
            return null;
        }

        var iteration = stored[0];
        if (!iteration.IsInteger || iteration.Shape.Aggregate(1L, (a, d) => a * d) != 1)
            throw Mismatch(source, optimizer.Name, 0, "the iteration count, an int64 scalar", iteration);
        var learningRate = first == 2 ? stored[1] : null;
        if (learningRate is not null && (!learningRate.IsFloat || learningRate.Shape.Aggregate(1L, (a, d) => a * d) != 1))
            throw Mismatch(source, optimizer.Name, 1, "the learning rate, a float32 scalar", learningRate);
        for (int k = 0; k < slots.Count; k++)
        {
            var shape = SlotShape(built!, slots[k].Variable);
            if (!stored[first + k].Shape.AsSpan().SequenceEqual(shape.AsSpan()) && !(shape.Rank == 0 && stored[first + k].Shape.Aggregate(1L, (a, d) => a * d) == 1))
                throw Mismatch(source, optimizer.Name, first + k, slots[k].Variable < 0 ? "a scalar of the optimizer's own" : $"a slot of variable '{built![slots[k].Variable].Name}' of shape {shape}", stored[first + k]);
        }

        long iterations = iteration.ReadInteger();
        float? rate = learningRate?.ReadFloats()[0];
        // Checked here, while nothing has changed yet: the optimizer's setter would refuse it half-way through the restore.
        if (rate is float lr && !(float.IsFinite(lr) && lr >= 0))
            throw new WeightsFileException($"Cannot load weights from {source.Description}: optimizer '{optimizer.Name}' learning rate '{learningRate!.Path}' is {lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a learning rate is a finite number >= 0.");
        var values = slots.Select((_, k) => stored[first + k].ReadFloats()).ToList();
        return () =>
        {
            optimizer.RestoreIterations(iterations);
            if (rate is float r) optimizer.LearningRate = r;
            for (int k = 0; k < slots.Count; k++) values[k].CopyTo(slots[k].Values, 0);
        };
    }

    /// <summary>The shape of a slot: its variable's, or a scalar for the optimizer's own state (variable −1).</summary>
    private static Shape SlotShape(IReadOnlyList<Variable> built, int variable) => variable < 0 ? new Shape() : built[variable].Shape;

    private static WeightsFileException Mismatch(H5WeightsSource source, string optimizer, int index, string expected, StoredVariable found) =>
        new($"Cannot load weights from {source.Description}: optimizer '{optimizer}' variable {index} should be {expected}, but '{found.Path}' is {found.DType} of shape {KerasLayout.FormatShape(found.Shape)}.");
}

/// <summary>Where loading warnings go (Keras' UserWarnings): standard error unless a test redirects them.</summary>
internal static class SavingWarnings
{
    private static readonly AsyncLocal<TextWriter?> s_output = new();

    /// <summary>The writer warnings go to; <see cref="Console.Error"/> unless set for the current async context.</summary>
    public static TextWriter Output
    {
        get => s_output.Value ?? Console.Error;
        set => s_output.Value = value;
    }

    /// <summary>Writes one warning line.</summary>
    public static void Warn(string message) => Output.WriteLine($"UserWarning: {message}");
}
