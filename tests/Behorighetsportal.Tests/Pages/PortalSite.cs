using Behorighetsportal.Tests.Infrastructure;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// The portal as a person meets it: the devhost as its own process on Azurite with the demo organisation, its
/// emails at a loopback SMTP server, and Chromium. Shared by the page tests (one devhost start, not one per
/// test); each story acts on demo people of its own, so the stories do not depend on their order.
/// </summary>
public sealed class PortalSite : IAsyncLifetime
{
    public SmtpInbox Inbox { get; } = new();

    public DevHostProcess Host { get; private set; } = null!;

    public Browser Browser { get; } = new();

    public async Task InitializeAsync()
    {
        Host = new DevHostProcess(Inbox);
        await Host.StartAsync();
        await Browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Host.DisposeAsync();
        Inbox.Dispose();
    }

    public Task<Microsoft.Playwright.IPage> AsAsync(string? hsaId, int width = 1280) => Browser.SignInAsync(Host.BaseUrl, hsaId, width);

    /// <summary>Presses the form's button and waits for the answer to its POST, which must have the expected status.</summary>
    public async Task SubmitAsync(Microsoft.Playwright.IPage page, string button, int expected = 200, bool exact = false)
    {
        var posted = page.WaitForResponseAsync(r => r.Request.Method == "POST");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = button, Exact = exact }).ClickAsync();
        var response = await posted;
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.Load);
        Assert.True(response.Status == expected, $"{button}: {response.Status} {page.Url}\n{await page.InnerTextAsync("body")}\n{Host.OutputTail(40)}");
    }
}

[CollectionDefinition(Name)]
public sealed class PortalSiteCollection : ICollectionFixture<PortalSite>
{
    public const string Name = "Portal site (devhost, SMTP, Chromium)";
}
