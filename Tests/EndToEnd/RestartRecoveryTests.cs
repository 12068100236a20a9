using System.Net;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>Restarting a service (its process, through the test host) loses no key, token, authorization or consent.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RestartRecoveryTests(PlatformFixture platform)
{
    [Fact]
    public async Task Keys_tokens_authorizations_and_consent_survive_restarts_of_the_authserver_and_keyservice()
    {
        var apiKey = await TestCredentials.CreateApiKeyAsync(platform, DemoWorkspace.Id, [ScopeCatalogue.ReadOrders]);
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders");
        var pkce = OAuthTestClient.NewPkce();
        await using var person = await BrowserPerson.StartAsync(platform);
        var (query, consentShown) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders", person.RedirectUri));
        Assert.True(consentShown);
        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce, person.RedirectUri);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        await platform.RestartAsync("keyservice");
        await platform.RestartAsync("authserver");

        // The AuthServer still knows the token (its store and its keys survived), not just the gate's cache.
        Assert.True(AuthServer.AuthServerSteps.IsActive(await AuthServer.AuthServerSteps.IntrospectAsync(platform, accessToken)));

        // The key and the access token still work: stored hashes and persisted signing/encryption keys.
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, apiKey));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));

        // The refresh token still redeems (and rotates).
        var (refreshStatus, _) = await oauth.RefreshAsync(clientId, refreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshStatus);

        // The consent is remembered: the same request goes straight back to the client, and the person's
        // dashboard session (a JWT under a persisted key) is still valid.
        var again = OAuthTestClient.NewPkce();
        var (secondQuery, consentAgain) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, again, "read:orders", person.RedirectUri));
        Assert.False(consentAgain, "a remembered consent must not be asked again after a restart");
        var secondTokens = await oauth.RedeemCodeAsync(clientId, secondQuery["code"]!, again, person.RedirectUri);
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, secondTokens.GetProperty("access_token").GetString()!));
    }
}
