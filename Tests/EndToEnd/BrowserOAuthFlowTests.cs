using System.Net;
using AlyAspire.Shared.Credentials;
using AlyAspire.Tests.Infrastructure;

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
        await using var person = await BrowserPerson.StartAsync(platform);

        var (query, consentShown) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders read:content"), "consent-page.png");

        Assert.True(consentShown, "a first authorization must ask for consent");
        Assert.Equal(pkce.State, query["state"].ToString());
        Assert.False(string.IsNullOrEmpty(query["iss"]), "the redirect must carry iss (RFC 9207)");
        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));
    }

    [Fact]
    public async Task The_consent_page_names_the_client_and_each_scope_in_plain_words()
    {
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders write:orders");
        await using var person = await BrowserPerson.StartAsync(platform);

        await person.Page.GotoAsync(oauth.AuthorizeUrl(clientId, OAuthTestClient.NewPkce(), "read:orders write:orders").ToString());
        await person.SignInIfAskedAsync();
        await person.Page.WaitForSelectorAsync("button[name=decision][value=allow]");

        var text = await person.Page.InnerTextAsync("body");
        Assert.Contains("End-to-end test agent", text);
        Assert.Contains("Demo Store", text);
        foreach (var scope in new[] { "read:orders", "write:orders" })
        {
            Assert.Contains(Shared.Scopes.ScopeCatalogue.Find(scope)!.Description, text);
        }
    }
}
