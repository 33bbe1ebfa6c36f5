using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Whether a monitored quantity improves by going down ("min") or up ("max"), decided as Keras 3's
/// <c>MonitorCallback._set_monitor_op</c> does: "min"/"max" as given; "auto" reads the name without its
/// <c>val_</c> prefix: <c>loss</c> goes down, a compiled metric of that name goes the way its
/// <see cref="Metrics.Metric.HigherIsBetter"/> says (accuracies up); anything else is an error. Keras settles this at
/// the first epoch end, once the model's metrics are known, and so do the callbacks here.
/// </summary>
internal static class MonitorMode
{
    /// <summary>
    /// The mode to use: <paramref name="mode"/> when it is "auto", "min" or "max"; otherwise Keras' warning
    /// (<paramref name="warning"/>) is printed and "auto" is used, as Keras falls back.
    /// </summary>
    public static string Check(string? mode, string warning)
    {
        if (mode is "auto" or "min" or "max") return mode;
        ProgressDisplay.Output.Write($"Warning: {warning}\n");
        return "auto";
    }

    /// <summary>True when larger is better; null when "auto" cannot tell (the caller raises its own Keras error).</summary>
    public static bool? Maximize(string mode, string monitor, Model model)
    {
        if (mode == "min") return false;
        if (mode == "max") return true;
        string name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor[4..] : monitor;
        bool? maximize = name == "loss" ? false : null;
        foreach (var metric in model.Metrics)
            if (metric.Name == name && metric.HigherIsBetter is bool up) maximize = up;
        return maximize;
    }

    /// <summary>
    /// Keras' <c>_is_improvement</c>: true when there is no reference yet, or when <paramref name="current"/> beats
    /// <paramref name="reference"/> by more than <paramref name="minDelta"/> in the monitored direction.
    /// </summary>
    public static bool Improves(bool maximize, double current, double? reference, double minDelta = 0.0)
    {
        if (reference is not double r) return true;
        return maximize ? current - minDelta > r : current + minDelta < r;
    }
}
