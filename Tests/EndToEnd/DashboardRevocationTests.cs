using System.Net;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>Revocation from the dashboard, by a person in a real browser, wins on the agent's very next call.</summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardRevocationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_key_created_on_the_api_keys_page_works_until_revoked_there_and_not_one_call_after()
    {
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync("/settings/api-keys");
        var name = $"e2e key {Guid.NewGuid():N}"[..20];

        await person.Page.FillAsync("input[name=name]", name);
        await person.Page.CheckAsync("input[name=scopes][value='read:orders']");
        await person.Page.Locator("form:has(input[name=name]) [type=submit]").ClickAsync();
        var secret = await person.Page.InputValueAsync("#new-secret");
        Assert.StartsWith("aly_", secret);
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "api-key-created.png"), FullPage = true });

        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, secret));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, secret)); // now cached by the gate

        // Shown once: reloading the page shows the key's display form, never its secret.
        await person.OpenAsync("/settings/api-keys");
        Assert.DoesNotContain(secret, await person.Page.ContentAsync());

        await person.Page.Locator($"tr:has-text('{name}') form[action*='handler=Revoke'] [type=submit]").ClickAsync();
        await person.Page.WaitForLoadStateAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, secret));
    }

    [Fact]
    public async Task Revoking_a_connected_app_stops_its_access_and_refresh_tokens_on_the_next_call()
    {
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientName = "End-to-end test agent";
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders");
        var pkce = OAuthTestClient.NewPkce();
        await using var person = await BrowserPerson.StartAsync(platform);
        var (query, _) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders", person.RedirectUri));
        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce, person.RedirectUri);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));

        await person.OpenAsync("/connected-apps");
        var row = person.Page.Locator($"tr:has-text('{clientName}'):has-text('{clientId}')");
        await row.Locator("form[action*='handler=Revoke'] [type=submit]").ClickAsync();
        await person.Page.WaitForLoadStateAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, accessToken));
        var (refreshStatus, refreshed) = await oauth.RefreshAsync(clientId, refreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, refreshStatus);
        Assert.Equal("invalid_grant", refreshed.GetProperty("error").GetString());
    }
}
