using System.Diagnostics;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// Debian's chromium, headless, with a fresh profile in the test's scratch folder and nothing that reaches the network:
/// how the fleet reports' tests read a page as a browser renders it (--dump-dom) and save a screenshot of it.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>Opens <paramref name="page"/> with <paramref name="action"/> (e.g. --dump-dom) and returns what chromium printed.</summary>
    public static async Task<string> RunAsync(string page, string scratch, CancellationToken ct, params string[] action)
    {
        var profile = Path.Combine(scratch, "chromium-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", .. action, new Uri(page).AbsoluteUri])
        {
            start.ArgumentList.Add(arg);
        }

        using var chromium = Process.Start(start)!;
        var stdout = chromium.StandardOutput.ReadToEndAsync(ct);
        var stderr = chromium.StandardError.ReadToEndAsync(ct);
        await chromium.WaitForExitAsync(ct);
        Assert.True(chromium.ExitCode == 0, $"chromium exited {chromium.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>Where a test's screenshot goes: beside the test results (TestResults/NAME).</summary>
    public static string ScreenshotPath(string name)
    {
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "TestResults", name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
