namespace DigitServer;

/// <summary>The JSON answer of <c>POST /predict</c>.</summary>
/// <param name="Digit">The predicted digit, 0–9.</param>
/// <param name="Probabilities">The ten class probabilities, for digits 0 to 9.</param>
internal sealed record PredictResponse(int Digit, float[] Probabilities);

/// <summary>
/// <c>POST /predict</c>: a JSON body <c>{"pixels": [784 numbers]}</c> or a multipart form with one image file; answers
/// <c>{"digit": 7, "probabilities": [...]}</c>, or a problem document (400, 413, 415) saying what is wrong.
/// </summary>
internal static class PredictEndpoint
{
    /// <summary>The largest request body accepted (Kestrel's limit), enough for a photo of a digit; JSON needs about 20 KB.</summary>
    internal const long MaxBodyBytes = 4 << 20;

    internal static async Task<IResult> HandleAsync(HttpRequest request, DigitClassifier classifier, CancellationToken cancel)
    {
        try
        {
            float[] pixels;
            if (request.HasFormContentType)
                pixels = await ReadImageAsync(request, cancel);
            else if (request.HasJsonContentType() || string.IsNullOrEmpty(request.ContentType))
                pixels = await PixelInput.ReadAsync(request.Body, cancel);
            else
                return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                    $"Content-Type '{request.ContentType}' is not accepted: send application/json {{\"pixels\": [784 numbers in 0..1]}} or multipart/form-data with an image file.");
            var prediction = classifier.Predict(pixels);
            return Results.Ok(new PredictResponse(prediction.Digit, prediction.Probabilities));
        }
        catch (BadInputException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad input", e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(e.StatusCode, "Request too large", $"The request body is larger than {MaxBodyBytes} bytes, the limit of this server.");
        }
    }

    private static async Task<float[]> ReadImageAsync(HttpRequest request, CancellationToken cancel)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancel);
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException))
        {
            // a malformed multipart body: no boundary, a section cut short (a body over the limit stays a 413)
            throw new BadInputException($"The multipart form could not be read: {e.Message}");
        }
        var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault()
            ?? throw new BadInputException("The form holds no file: send the image as a file field named 'image'.");
        using var buffer = new MemoryStream((int)Math.Min(file.Length, MaxBodyBytes));
        await file.CopyToAsync(buffer, cancel);
        return ImageInput.ToMnistPixels(buffer.ToArray(), file.FileName);
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status);
}
