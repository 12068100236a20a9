using System.Net;
using System.Net.Http.Headers;
using AlyAspire.Shared.Credentials;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>The OAuth flow as a person meets it: the real sign-in and consent pages in headless Chromium.</summary>
[Collection(PlatformCollection.Name)]
public sealed class BrowserOAuthFlowTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_person_signs_in_and_consents_in_a_real_browser_and_the_agent_calls_the_api()
    {
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders read:content");
        var pkce = OAuthTestClient.NewPkce();

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        // The agent's loopback listener, played by the browser's router: capture the redirect.
        var redirected = new TaskCompletionSource<Uri>();
        await page.RouteAsync("http://127.0.0.1:53682/**", async route =>
        {
            redirected.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<p>Signed in.</p>" });
        });

        await page.GotoAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders read:content").ToString());

        // Not signed in: the sign-in page.
        await page.FillAsync("input[name=Email]", "owner@demo.store");
        await page.FillAsync("input[name=Password]", "AlyDemo!2026");
        await page.Locator("form:has(input[name=Password]) [type=submit]").ClickAsync();

        // Then the consent page: the client's name and each scope in plain words.
        await page.WaitForSelectorAsync("button[name=decision][value=allow]");
        var consentText = await page.InnerTextAsync("body");
        Assert.Contains("End-to-end test agent", consentText);
        Assert.Contains("Read orders", consentText, StringComparison.OrdinalIgnoreCase);
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "consent-page.png"), FullPage = true });
        await page.ClickAsync("button[name=decision][value=allow]");

        var callback = await redirected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal(pkce.State, query["state"].ToString());
        Assert.False(string.IsNullOrEmpty(query["iss"]), "the redirect must carry iss (RFC 9207)");

        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);

        using var storefront = platform.CreateClient("storefrontapi");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/storefront/v1/merchant/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var orders = await storefront.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, orders.StatusCode);
    }
}
