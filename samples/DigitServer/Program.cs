// DigitServer: a web page where a visitor draws a digit and a Dendrite convnet reads it, and the JSON API behind it.
// The model is loaded (or, the first time, trained) once before the server listens, and shared by every request.
using DigitServer;

ServerOptions options;
try
{
    options = ServerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ServerOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(ServerOptions.Usage);
    return 0;
}

DigitClassifier classifier;
try
{
    classifier = DigitClassifier.LoadOrTrain(options.ModelPath, Console.Out);
}
catch (Exception e) when (e is IOException or InvalidDataException)  // a missing or unreadable model (ModelFormatException is an IOException), or MNIST unavailable
{
    Console.Error.WriteLine($"Cannot start: {e.Message}");
    return 1;
}

// A server is parallel across requests already: one thread per prediction lets concurrent requests fill the cores
// instead of each one waking the kernels' worker threads for a single 28×28 image (measured with bench/DigitServer.Load,
// 32 clients on 2 cores: 3954 requests/s and p99 27 ms with 1 thread, 3129 requests/s and p99 33 ms with 2).
// DENDRITE_NUM_THREADS, when set, still decides.
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Dendrite.Config.ThreadsVariable)))
    Dendrite.Config.Threads = 1;

var builder = WebApplication.CreateBuilder(options.HostArguments);
// Per-request log lines would cost more than a prediction under load; keep warnings and the start-up lines.
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = PredictEndpoint.MaxBodyBytes);
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(classifier);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();

PageEndpoint.Map(app);
app.MapPost("/predict", PredictEndpoint.HandleAsync).DisableAntiforgery();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

await app.StartAsync();
foreach (string address in app.Urls)
    Console.WriteLine($"DigitServer listening on {address}");
await app.WaitForShutdownAsync();
return 0;
