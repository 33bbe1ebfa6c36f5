using System.Globalization;
using System.Text;
using Dendrite.Layers;

namespace Dendrite;

/// <summary>
/// Renders Keras 3's <c>model.summary()</c> table: a heavy-headed box with the columns "Layer (type)",
/// "Output Shape" and "Param #" at 45 % / 35 % / 20 % of the line, a rule between rows, then the parameter totals
/// with their float32 size.
/// </summary>
internal static class ModelSummary
{
    /// <summary>Keras' line length for sequential models.</summary>
    public const int DefaultLineLength = 88;

    private static readonly double[] s_positions = [0.45, 0.80, 1.0];

    /// <summary>Keras' line length for functional models that are not a simple chain (they add "Connected to").</summary>
    public const int GraphLineLength = 108;

    private static readonly double[] s_graphPositions = [0.30, 0.60, 0.70, 1.0];

    /// <summary>Whether Keras draws the model as a chain: every layer called once, each on the previous one's output.</summary>
    public static bool IsSequentialLike(Model model)
    {
        if (model is Sequential || model.Graph is null) return true;
        var nodes = model.Graph.Nodes;
        if (model.Graph.Inputs.Count > 1 || model.Graph.Outputs.Count > 1) return false;
        for (int i = 1; i < nodes.Count; i++)
            if (nodes[i].Inputs.Length != 1 || nodes[i].Inputs[0] != nodes[i - 1].Output) return false;
        return nodes.Select(n => n.Layer).Distinct().Count() == nodes.Count;
    }

    public static string Render(Model model, int? requestedLength, long? optimizerParams)
    {
        bool chain = IsSequentialLike(model);
        int lineLength = requestedLength ?? (chain ? DefaultLineLength : GraphLineLength);
        var positions = chain ? s_positions : s_graphPositions;
        if (lineLength < 40) throw new ArgumentOutOfRangeException("lineLength", $"Summary needs a line length of at least 40, got lineLength={lineLength}.");
        int columns = positions.Length;
        int inner = lineLength - columns - 1; // one box-drawing character before each column and one at the end
        var widths = new int[columns];
        int used = 0;
        for (int i = 0; i < columns - 1; i++)
        {
            widths[i] = (int)Math.Round(inner * (positions[i] - (i == 0 ? 0 : positions[i - 1])), MidpointRounding.AwayFromZero);
            used += widths[i];
        }
        widths[^1] = inner - used;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Model: \"{model.Name}\"\n");
        Rule(sb, widths, '┏', '━', '┳', '┓');
        Row(sb, widths, '┃', chain ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"]);
        Rule(sb, widths, '┡', '━', '╇', '┩');
        var layers = model.Layers;
        var nodes = model.Graph?.Nodes ?? [];
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var layerNodes = nodes.Where(n => n.Layer == layer).ToList();
            string output = layerNodes.Count == 0 ? "?"
                : layerNodes[0].Outputs.Length == 1 ? FormatShape(layerNodes[0].Output.Shape)
                : $"[{string.Join(", ", layerNodes[0].Outputs.Select(o => FormatShape(o.Shape)))}]"; // Keras' list of shapes
            string count = layer.Built ? Number(layer.CountParams()) : "0 (unbuilt)";
            string[] cells = [$"{layer.Name} ({layer.GetType().Name})", output, count];
            if (!chain) cells = [.. cells, Connections(layerNodes, nodes)];
            Row(sb, widths, '│', cells);
            if (i < layers.Count - 1) Rule(sb, widths, '├', '─', '┼', '┤');
        }
        Rule(sb, widths, '└', '─', '┴', '┘');

        long trainable = layers.Sum(l => l.TrainableWeights.Sum(w => (long)w.Shape.Size));
        long total = model.CountParams();
        long nonTrainable = total - trainable;
        long all = total + (optimizerParams ?? 0);
        sb.Append(CultureInfo.InvariantCulture, $" Total params: {Number(all)} ({Size(all)})\n");
        sb.Append(CultureInfo.InvariantCulture, $" Trainable params: {Number(trainable)} ({Size(trainable)})\n");
        sb.Append(CultureInfo.InvariantCulture, $" Non-trainable params: {Number(nonTrainable)} ({Size(nonTrainable)})\n");
        if (optimizerParams is long o) sb.Append(CultureInfo.InvariantCulture, $" Optimizer params: {Number(o)} ({Size(o)})\n");
        return sb.ToString();
    }

    /// <summary>Keras' "Connected to" cell: <c>layer[node][tensor]</c> for every input of the layer's calls, or "-".</summary>
    private static string Connections(List<Node> layerNodes, IReadOnlyList<Node> allNodes)
    {
        var parts = new List<string>();
        foreach (var node in layerNodes)
            foreach (var input in node.Inputs)
            {
                var producer = input.Producer!;
                int nodeIndex = allNodes.Where(n => n.Layer == producer.Layer).ToList().IndexOf(producer);
                parts.Add($"{producer.Layer.Name}[{nodeIndex}][{input.OutputIndex}]");
            }
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    /// <summary>Keras' shape text: <c>(None, 26, 26, 32)</c>.</summary>
    public static string FormatShape(Shape perSample) => KerasTensor.Format(perSample);

    private static string Number(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Keras' <c>readable_memory_size</c> of float32 parameters: divide by 1024 until below it, two decimals.</summary>
    internal static string Size(long parameters)
    {
        double bytes = parameters * 4.0;
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        foreach (var unit in units)
        {
            if (bytes / 1024 < 1 || unit == "PB") return string.Create(CultureInfo.InvariantCulture, $"{bytes:F2} {unit}");
            bytes /= 1024;
        }
        throw new InvalidOperationException("unreachable");
    }

    private static void Rule(StringBuilder sb, int[] widths, char left, char line, char cross, char right)
    {
        sb.Append(left);
        for (int i = 0; i < widths.Length; i++)
        {
            sb.Append(line, widths[i]);
            sb.Append(i < widths.Length - 1 ? cross : right);
        }
        sb.Append('\n');
    }

    /// <summary>One table row; text longer than its cell wraps onto further lines, as rich does.</summary>
    private static void Row(StringBuilder sb, int[] widths, char border, string[] cells)
    {
        var lines = new List<string>[cells.Length];
        int height = 1;
        for (int i = 0; i < cells.Length; i++)
        {
            lines[i] = Wrap(cells[i], widths[i] - 2);
            height = Math.Max(height, lines[i].Count);
        }
        for (int line = 0; line < height; line++)
        {
            sb.Append(border);
            for (int i = 0; i < cells.Length; i++)
            {
                string text = line < lines[i].Count ? lines[i][line] : "";
                sb.Append(' ');
                sb.Append(i == 2 ? text.PadLeft(widths[i] - 2) : text.PadRight(widths[i] - 2)); // Param # aligns right
                sb.Append(' ');
                sb.Append(border);
            }
            sb.Append('\n');
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var result = new List<string>();
        while (text.Length > width)
        {
            int cut = text.LastIndexOf(' ', width);
            if (cut <= 0) cut = width;
            result.Add(text[..cut].TrimEnd());
            text = text[cut..].TrimStart();
        }
        result.Add(text);
        return result;
    }
}
