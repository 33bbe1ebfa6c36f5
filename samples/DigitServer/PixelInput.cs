using System.Text.Json;

namespace DigitServer;

/// <summary>
/// Reads <c>{"pixels": [784 numbers in 0..1]}</c>: a 28×28 image, row-major, white digit on black as in MNIST. The
/// pixels are taken as they are (no cropping or centring): the sender normalises the digit as MNIST's were.
/// </summary>
internal static class PixelInput
{
    /// <summary>The pixels of the JSON body, or <see cref="BadInputException"/> naming the first thing wrong.</summary>
    internal static async Task<float[]> ReadAsync(Stream body, CancellationToken cancel)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancel);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"The body is not valid JSON ({e.Message}). Send {{\"pixels\": [{DigitClassifier.PixelCount} numbers in 0..1]}}.");
        }
        using (document)
            return Parse(document.RootElement);
    }

    /// <summary>The pixels of an already parsed body.</summary>
    internal static float[] Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"The body must be a JSON object {{\"pixels\": [{DigitClassifier.PixelCount} numbers in 0..1]}}; it is {Describe(root.ValueKind)}.");
        if (!root.TryGetProperty("pixels", out var pixels))
            throw new BadInputException($"The JSON object has no \"pixels\" property; send {{\"pixels\": [{DigitClassifier.PixelCount} numbers in 0..1]}}.");
        if (pixels.ValueKind != JsonValueKind.Array)
            throw new BadInputException($"\"pixels\" must be an array of {DigitClassifier.PixelCount} numbers; it is {Describe(pixels.ValueKind)}.");
        int count = pixels.GetArrayLength();
        if (count != DigitClassifier.PixelCount)
            throw new BadInputException($"\"pixels\" must hold {DigitClassifier.PixelCount} numbers (28×28, row-major); it holds {count}.");

        var values = new float[count];
        int i = 0;
        foreach (var pixel in pixels.EnumerateArray())
        {
            if (pixel.ValueKind != JsonValueKind.Number || !pixel.TryGetDouble(out double value))
                throw new BadInputException($"pixels[{i}] is {Describe(pixel.ValueKind)}; every pixel must be a number in 0..1.");
            if (!(value >= 0 && value <= 1))
                throw new BadInputException($"pixels[{i}] is {pixel.GetRawText()}, outside 0..1 (divide 0–255 grey levels by 255).");
            values[i++] = (float)value;
        }
        return values;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
