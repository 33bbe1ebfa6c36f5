using OpenQA.Selenium.Chrome;

namespace DigitServer.Tests;

/// <summary>
/// Debian's headless Chromium driven through Debian's chromedriver, both at fixed paths so that Selenium never looks
/// for (or downloads) a browser or a driver of its own.
/// </summary>
internal static class Browser
{
    internal const string ChromiumPath = "/usr/bin/chromium";
    internal const string ChromeDriverPath = "/usr/bin/chromedriver";

    /// <summary>A new headless browser with a fresh profile in <paramref name="profile"/>; fails saying how to install it when missing.</summary>
    internal static ChromeDriver Start(string profile)
    {
        foreach (string path in (string[])[ChromiumPath, ChromeDriverPath])
            if (!File.Exists(path))
                throw new Xunit.Sdk.XunitException($"{path} is missing: the page test needs Debian's Chromium and chromedriver. Install them with `apt-get install -y chromium chromium-driver` (as root; .ci/run does it).");

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--window-size=900,680", "--force-device-scale-factor=1", $"--user-data-dir={profile}");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }
}
