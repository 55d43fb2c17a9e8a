using Behorighetsportal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Behorighetsportal.Tests.Pages;

/// <summary>
/// WCAG 2.1.1 and 2.4.7: the order form used with the keyboard alone — skip link, search, choosing a person and a level,
/// review — with the focus visible on every control it reaches. Nothing is sent, so no order is placed.
/// </summary>
[Collection(PortalSiteCollection.Name)]
public sealed class KeyboardTests(PortalSite site)
{
    [Fact]
    public async Task OrderForm_KeyboardOnly_SkipLinkSearchChooseAndReview_FocusAlwaysVisible()
    {
        // Arrange
        var page = await site.AsAsync(Demo.Eva);
        await page.GotoAsync("/bestall");

        // Act: the first Tab reaches the skip link, Enter moves to the page's content.
        await page.Keyboard.PressAsync("Tab");
        var first = await ActiveAsync(page);
        await page.Keyboard.PressAsync("Enter");
        var afterSkip = await page.EvaluateAsync<string>("() => document.activeElement.id");

        // Search by typing and Enter, then tab to Hugo's engagement and the level, each chosen with Space.
        await TabToAsync(page, "#q");
        await page.Keyboard.TypeAsync("Hugo");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/bestall?q=Hugo*");
        var hugo = await page.GetByLabel("Hugo Holm").GetAttributeAsync("id");
        await TabToAsync(page, "#" + hugo);
        await page.Keyboard.PressAsync("Space");
        var standard = await page.GetByLabel("Standard – ").GetAttributeAsync("id");
        await TabToAsync(page, "[name=niva]");
        for (var presses = 0; presses < 10 && await page.EvaluateAsync<string>("() => document.activeElement.id") != standard; presses++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
        }

        var levelChosen = await page.GetByLabel("Standard – ").IsCheckedAsync();

        await TabToAsync(page, "button[value=granska]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        var review = await page.InnerTextAsync("main");

        // Assert
        Assert.Equal(("A", "Till innehållet", true), (first.Tag, first.Text, first.Outlined));
        Assert.Equal("innehall", afterSkip);
        Assert.Contains("Granska beställningen", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.Contains("Hugo Holm", review, StringComparison.Ordinal);
        Assert.True(levelChosen, "Standard was not chosen with the arrow keys.");
        Assert.Contains("Standard", review, StringComparison.Ordinal);
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus, checking each stop shows it.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var presses = 0; presses < 80; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await ActiveAsync(page);
            Assert.True(focused.Outlined, $"The focus on <{focused.Tag}> '{focused.Text}' is not visible.");
            if (await page.EvaluateAsync<bool>("s => document.activeElement.matches(s)", selector))
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached {selector}.");
    }

    /// <summary>The focused element: its tag, its text, and whether a focus outline is drawn around it.</summary>
    private static async Task<(string Tag, string Text, bool Outlined)> ActiveAsync(IPage page)
    {
        var state = await page.EvaluateAsync<string[]>(
            "() => { const e = document.activeElement; const s = getComputedStyle(e); " +
            "return [e.tagName, (e.innerText || e.value || '').trim().slice(0, 40), String(s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)]; }");
        return (state[0], state[1], state[2] == "True" || state[2] == "true");
    }
}
