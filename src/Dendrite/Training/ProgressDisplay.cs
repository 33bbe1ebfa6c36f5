namespace Dendrite.Training;

/// <summary>How the progress bar of <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> is drawn at <c>verbose: 1</c>.</summary>
public enum ProgressMode
{
    /// <summary><see cref="Dynamic"/> on an interactive console, <see cref="FinalLineOnly"/> when output is redirected or captured.</summary>
    Auto,

    /// <summary>Keras' terminal behaviour: the line is redrawn in place (carriage return) with ANSI colours, at most every 50 ms.</summary>
    Dynamic,

    /// <summary>One plain line per epoch, written when it ends, without escape codes: what a log file wants.</summary>
    FinalLineOnly,
}

/// <summary>
/// Where and how progress is printed. Keras on POSIX always redraws with backspaces and ANSI codes, even into a
/// file; Dendrite deliberately writes clean final lines when output is redirected (<see cref="ProgressMode.Auto"/>)
/// and offers <see cref="ProgressMode.Dynamic"/> to force Keras' redraws.
/// </summary>
/// <remarks>Both settings flow with the current async context, so concurrent tests can capture output independently.</remarks>
public static class ProgressDisplay
{
    private static readonly AsyncLocal<TextWriter?> s_output = new();
    private static readonly AsyncLocal<ProgressMode?> s_mode = new();

    /// <summary>The writer progress goes to; <see cref="Console.Out"/> unless set.</summary>
    public static TextWriter Output
    {
        get => s_output.Value ?? Console.Out;
        set => s_output.Value = value;
    }

    /// <summary>The drawing policy; <see cref="ProgressMode.Auto"/> unless set.</summary>
    public static ProgressMode Mode
    {
        get => s_mode.Value ?? ProgressMode.Auto;
        set => s_mode.Value = value;
    }

    /// <summary>Whether bars redraw in place with ANSI codes under the current settings.</summary>
    internal static bool IsDynamic => Mode switch
    {
        ProgressMode.Dynamic => true,
        ProgressMode.FinalLineOnly => false,
        _ => s_output.Value is null && !Console.IsOutputRedirected,
    };
}
