using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Playwright;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// A person at the AuthServer in headless Chromium: signs in, answers consent, uses the dashboard pages.
/// The agent's loopback redirect (<see cref="OAuthTestClient.LoopbackRedirectUri"/>) is played by the browser's router.
/// </summary>
public sealed class BrowserPerson : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private TaskCompletionSource<Uri> _redirect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrowserPerson(IPlaywright playwright, IBrowser browser, IPage page, Uri authServer)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        AuthServer = authServer;
    }

    public IPage Page { get; }

    public Uri AuthServer { get; }

    public static async Task<BrowserPerson> StartAsync(PlatformFixture platform)
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var person = new BrowserPerson(playwright, browser, page, platform.Endpoint("authserver"));
        await page.RouteAsync("http://127.0.0.1:53682/**", async route =>
        {
            person._redirect.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<p>Signed in.</p>" });
        });
        return person;
    }

    /// <summary>Opens a dashboard page, signing in as the development owner when the sign-in page comes up.</summary>
    public async Task OpenAsync(string path)
    {
        await Page.GotoAsync(new Uri(AuthServer, path).ToString());
        await SignInIfAskedAsync();
    }

    public async Task SignInIfAskedAsync()
    {
        if (await Page.Locator("input[name=Password]").CountAsync() > 0)
        {
            await Page.FillAsync("input[name=Email]", DemoWorkspace.DefaultOwnerEmail);
            await Page.FillAsync("input[name=Password]", DemoWorkspace.DefaultOwnerPassword);
            await Page.Locator("form:has(input[name=Password]) [type=submit]").ClickAsync();
            await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
    }

    /// <summary>
    /// Follows an authorization URL: signs in if asked, allows on the consent page if one is shown (with a
    /// screenshot when <paramref name="consentScreenshot"/> is given), and returns the redirect's query.
    /// </summary>
    public async Task<(Dictionary<string, StringValues> Query, bool ConsentShown)> AuthorizeAsync(Uri authorizeUrl, string? consentScreenshot = null)
    {
        _redirect = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.GotoAsync(authorizeUrl.ToString());
        await SignInIfAskedAsync();

        var consentShown = false;
        var allow = Page.Locator("button[name=decision][value=allow]");
        var redirected = _redirect.Task;
        if (!redirected.IsCompleted && await allow.CountAsync() > 0)
        {
            consentShown = true;
            if (consentScreenshot is not null)
            {
                await Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, consentScreenshot), FullPage = true });
            }

            await allow.ClickAsync();
        }

        var callback = await redirected.WaitAsync(TimeSpan.FromSeconds(30));
        return (QueryHelpers.ParseQuery(callback.Query), consentShown);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
