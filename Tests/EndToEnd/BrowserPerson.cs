using System.Net;
using System.Net.Sockets;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Playwright;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// A person at the AuthServer in headless Chromium: signs in, answers consent, uses the dashboard pages.
/// The agent's side of the redirect is a real loopback listener on an ephemeral port (<see cref="RedirectUri"/>), as
/// an agent has: the registered loopback URI matches any port (RFC 8252 §7.3).
/// </summary>
public sealed class BrowserPerson : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly HttpListener _listener;
    private readonly Task _listening;
    private TaskCompletionSource<Uri> _redirect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrowserPerson(IPlaywright playwright, IBrowser browser, IPage page, Uri authServer)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        AuthServer = authServer;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        RedirectUri = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/callback";
        probe.Stop();
        _listener = new HttpListener();
        _listener.Prefixes.Add(RedirectUri + "/");
        _listener.Start();
        _listening = ListenAsync();
    }

    /// <summary>The agent's loopback redirect URI for authorization requests and code redemption.</summary>
    public string RedirectUri { get; }

    public IPage Page { get; }

    public Uri AuthServer { get; }

    public static async Task<BrowserPerson> StartAsync(PlatformFixture platform)
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        return new BrowserPerson(playwright, browser, page, platform.Endpoint("authserver"));
    }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }

            _redirect.TrySetResult(context.Request.Url!);
            var page = "<!doctype html><title>Agent</title><p>Signed in.</p>"u8.ToArray();
            context.Response.ContentType = "text/html";
            await context.Response.OutputStream.WriteAsync(page);
            context.Response.Close();
        }
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
        // Let the browser finish arriving at the (routed) redirect before anything navigates again.
        await Page.WaitForURLAsync(url => url.StartsWith(RedirectUri, StringComparison.Ordinal));
        return (QueryHelpers.ParseQuery(callback.Query), consentShown);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _listening;
        _listener.Close();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
