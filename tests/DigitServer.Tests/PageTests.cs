using System.Drawing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;

namespace DigitServer.Tests;

/// <summary>
/// The drawing page in a real browser: a 1 drawn with the mouse and, after Clear, a 7 drawn with a finger (touch
/// pointer events) are read as 1 and 7. Screenshots of both are kept under the test output's <c>screenshots</c> folder.
/// </summary>
[Collection(DigitServerCollection.Name)]
public sealed class PageTests(DigitServerFixture server, ITestOutputHelper output) : IDisposable
{
    private readonly string _profile = Directory.CreateTempSubdirectory("digitserver-chromium-").FullName;

    /// <summary>Where the screenshots go: a folder beside the test assembly.</summary>
    private static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public void ADrawnOneAndADrawnSevenAreRecognised()
    {
        using var driver = Browser.Start(_profile);
        driver.Navigate().GoToUrl(server.BaseAddress);
        var pad = driver.FindElement(By.Id("pad"));
        var digit = driver.FindElement(By.Id("digit"));
        Assert.Equal("?", digit.Text);

        // A one: a single, slightly slanted downstroke, with the mouse.
        Draw(driver, pad, PointerKind.Mouse, [(10, -115), (-10, 115)]);
        Assert.Equal("1", WaitForPrediction(driver, strokes: 1));
        SaveScreenshot(driver, "digit-1.png");

        driver.FindElement(By.Id("clear")).Click();
        Assert.Equal("?", digit.Text);
        Assert.Equal("0", digit.GetDomAttribute("data-strokes"));

        // A seven: the top bar and the diagonal in one stroke, with a finger.
        Draw(driver, pad, PointerKind.Touch, [(-85, -105), (85, -105), (-5, 115)]);
        Assert.Equal("7", WaitForPrediction(driver, strokes: 1));
        SaveScreenshot(driver, "digit-7.png");

        var status = driver.FindElement(By.Id("status")).Text;
        Assert.StartsWith("Looks like a 7", status);
        output.WriteLine($"page status after the 7: {status}");
    }

    [Fact]
    public void ThePageIsSelfContainedTouchReadyAndLabelled()
    {
        using var driver = Browser.Start(_profile);
        driver.Navigate().GoToUrl(server.BaseAddress);
        var pad = driver.FindElement(By.Id("pad"));
        Assert.Equal("none", pad.GetCssValue("touch-action"));
        Assert.False(string.IsNullOrWhiteSpace(pad.GetDomAttribute("aria-label")));
        Assert.Equal("Clear", driver.FindElement(By.Id("clear")).Text);
        var bars = driver.FindElements(By.CssSelector("#bars [role=progressbar]"));
        Assert.Equal(Enumerable.Range(0, 10).Select(d => $"Probability of {d}"), bars.Select(b => b.GetDomAttribute("aria-label")));

        // every resource the page loaded came from the server itself (no CDN, no web font)
        var resources = (IReadOnlyCollection<object>)((IJavaScriptExecutor)driver)
            .ExecuteScript("return performance.getEntriesByType('resource').map(r => r.name);")!;
        Assert.Equal([$"{server.BaseAddress}page.css", $"{server.BaseAddress}page.js"], resources.Cast<string>().Order());
    }

    /// <summary>
    /// One stroke through <paramref name="corners"/> (offsets in CSS pixels from the pad's centre), as a pointer of
    /// <paramref name="kind"/> moving in 6-pixel steps: pointerdown, pointermoves, pointerup.
    /// </summary>
    private static void Draw(ChromeDriver driver, IWebElement pad, PointerKind kind, (int X, int Y)[] corners)
    {
        var pointer = new PointerInputDevice(kind, kind.ToString().ToLowerInvariant());
        var stroke = new ActionSequence(pointer);
        stroke.AddAction(pointer.CreatePointerMove(pad, corners[0].X, corners[0].Y, TimeSpan.Zero));
        stroke.AddAction(pointer.CreatePointerDown(MouseButton.Left));
        for (int c = 1; c < corners.Length; c++)
        {
            var (from, to) = (corners[c - 1], corners[c]);
            int steps = (int)Math.Ceiling(Math.Sqrt(Math.Pow(to.X - from.X, 2) + Math.Pow(to.Y - from.Y, 2)) / 6);
            for (int s = 1; s <= steps; s++)
                stroke.AddAction(pointer.CreatePointerMove(pad,
                    from.X + (to.X - from.X) * s / steps, from.Y + (to.Y - from.Y) * s / steps, TimeSpan.FromMilliseconds(5)));
        }
        stroke.AddAction(pointer.CreatePointerUp(MouseButton.Left));
        driver.PerformActions([stroke]);
        driver.ResetInputState();
    }

    /// <summary>The digit the page shows once its prediction covers <paramref name="strokes"/> strokes.</summary>
    private static string WaitForPrediction(ChromeDriver driver, int strokes)
    {
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        try
        {
            return wait.Until(d =>
            {
                var digit = d.FindElement(By.Id("digit"));
                return digit.GetDomAttribute("data-strokes") == strokes.ToString() ? digit.Text : null;
            });
        }
        catch (WebDriverTimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"The page showed no prediction for {strokes} stroke(s) within 30 s; status: '{driver.FindElement(By.Id("status")).Text}'.");
        }
    }

    private void SaveScreenshot(ChromeDriver driver, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        string path = Path.Combine(ScreenshotFolder, name);
        driver.GetScreenshot().SaveAsFile(path);
        output.WriteLine($"screenshot: {path}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be closing files in its profile; a temporary folder left behind is harmless
        }
    }
}
