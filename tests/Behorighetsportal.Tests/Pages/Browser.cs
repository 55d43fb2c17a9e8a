using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// Debian's Chromium driven by Playwright, one per test class. A person is a browser context of their own that
/// carries the header App Service Authentication would add for them, as in Azure. Every page a test opens can be
/// checked with axe (WCAG 2.1 AA) and photographed at desktop and phone width into the results folder.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>scripts/test.sh installs it with apt when missing; Playwright's own download fails on these machines.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    /// <summary>Where screenshots go: beside the test results (scripts/test.sh passes it), else the test's folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("PORTAL_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "screenshots"));

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: scripts/test.sh installs Debian's chromium package.");
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--lang=sv-SE"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A browser context signed in as <paramref name="hsaId"/> (null: nobody signed in).</summary>
    public async Task<IPage> SignInAsync(string baseUrl, string? hsaId, int width = 1280)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            Locale = "sv-SE",
            TimezoneId = "Europe/Stockholm",
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            ExtraHTTPHeaders = hsaId is null ? null : new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = Infrastructure.Demo.Principal(hsaId) },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>axe-core on the page as it stands, WCAG 2.0/2.1 A and AA: fails the test with every violation listed.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(violations.Count == 0, $"axe found {violations.Count} WCAG 2.1 AA violation(s) on {name} ({page.Url}):\n" + string.Join("\n", violations));
    }

    /// <summary>
    /// Photographs the page at desktop width and at 375 px (the phone), checks that at 375 px nothing scrolls
    /// sideways, and runs axe at both widths.
    /// </summary>
    public static async Task CheckPageAsync(IPage page, string name)
    {
        await AssertAccessibleAsync(page, name);
        System.IO.Directory.CreateDirectory(ScreenshotFolder);
        var desktop = page.ViewportSize!;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-desktop.png"), FullPage = true });
        await page.SetViewportSizeAsync(375, 812);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-375.png"), FullPage = true });
        Assert.True(overflow <= 0, $"{name} scrolls sideways at 375 px by {overflow} px ({page.Url}).");
        await AssertAccessibleAsync(page, name + " at 375 px");
        await page.SetViewportSizeAsync(desktop.Width, desktop.Height);
    }
}
