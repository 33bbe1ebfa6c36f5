namespace Dendrite.Callbacks;

/// <summary>
/// Whether a monitored quantity improves by going down ("min") or up ("max"); "auto" decides from its name as
/// Keras does: losses and errors (mae, mse) go down, accuracies, AUC, precision and recall go up.
/// </summary>
internal static class MonitorMode
{
    /// <summary>True when larger is better.</summary>
    public static bool Maximize(string mode, string monitor, string callback)
    {
        switch (mode?.ToLowerInvariant())
        {
            case "min": return false;
            case "max": return true;
            case "auto":
                string name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor[4..] : monitor;
                if (name.EndsWith("loss", StringComparison.Ordinal) || name.Contains("error", StringComparison.Ordinal)
                    || name is "mae" or "mse" or "MAE" or "MSE") return false;
                if (name.Contains("acc", StringComparison.Ordinal) || name.Contains("auc", StringComparison.Ordinal)
                    || name.Contains("precision", StringComparison.Ordinal) || name.Contains("recall", StringComparison.Ordinal)) return true;
                throw new ArgumentException($"{callback} callback received monitor={monitor}, but Dendrite cannot tell whether that metric should be maximized or minimized. Pass mode: \"max\" or mode: \"min\".");
            default:
                throw new ArgumentException($"{callback}: mode must be \"auto\", \"min\" or \"max\", got \"{mode}\".");
        }
    }
}
