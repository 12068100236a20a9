using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>PKCE, single-use codes, refresh rotation, reuse detection, revocation and resource indicators.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TokenLifecycleTests(PlatformFixture platform)
{
    [Theory]
    [InlineData(null)]
    [InlineData("plain")]
    public async Task Authorization_without_an_s256_challenge_is_refused(string? method)
    {
        using var http = platform.CreateClient("authserver", allowRedirects: false);
        var clientId = await new OAuthTestClient(http).RegisterPublicClientAsync();
        var query = $"/oauth/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(OAuthTestClient.LoopbackRedirectUri)}&scope=read:orders&state=s1";
        if (method is not null)
        {
            query += $"&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method={method}";
        }

        using var response = await http.GetAsync(query);
        // Refused before anything else happens: no sign-in page, no code.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("invalid_request", body);
        Assert.Contains("code_challenge", body);
    }

    [Fact]
    public async Task A_redirect_uri_one_character_off_gets_an_error_page_and_no_redirect()
    {
        using var http = platform.CreateClient("authserver", allowRedirects: false);
        var clientId = await new OAuthTestClient(http).RegisterPublicClientAsync();
        var pkce = OAuthTestClient.NewPkce();
        var url = new OAuthTestClient(http).AuthorizeUrl(clientId, pkce, "read:orders", redirectUri: OAuthTestClient.LoopbackRedirectUri + "x");
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("This authorization request cannot be processed", page);
        Assert.Contains("invalid_request", page);
        Assert.DoesNotContain("decision", page);

        using var unknownClient = await http.GetAsync(url.PathAndQuery.Replace(clientId, "client_unknown"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownClient.StatusCode);
        Assert.Null(unknownClient.Headers.Location);
    }

    [Fact]
    public async Task A_loopback_redirect_uri_matches_any_port()
    {
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(redirectUri: "http://127.0.0.1/callback");
        var pkce = OAuthTestClient.NewPkce();
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var end = await browser.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders", redirectUri: "http://127.0.0.1:49152/callback"),
            AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        Assert.Equal("http://127.0.0.1:49152/callback", end.Url.GetLeftPart(UriPartial.Path));
        Assert.True(AuthServerSteps.Query(end.Url).ContainsKey("code"));
    }

    [Fact]
    public async Task A_wrong_code_verifier_fails_and_consumes_the_code()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (status, body) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, OAuthTestClient.NewPkce().Verifier));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());

        (status, body) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_replayed_code_fails_and_revokes_the_tokens_it_issued()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (status, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        Assert.Equal(HttpStatusCode.OK, status);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.True(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));

        var (replayStatus, replay) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        Assert.Equal(HttpStatusCode.BadRequest, replayStatus);
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, tokens.GetProperty("refresh_token").GetString()!)));
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_of_an_old_refresh_token_revokes_the_chain()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, first) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var oldRefresh = first.GetProperty("refresh_token").GetString()!;
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);

        var (status, second) = await oauth.RefreshAsync(clientId, oldRefresh);
        Assert.Equal(HttpStatusCode.OK, status);
        var newRefresh = second.GetProperty("refresh_token").GetString()!;
        var newAccess = second.GetProperty("access_token").GetString()!;
        Assert.NotEqual(oldRefresh, newRefresh);
        Assert.StartsWith(CredentialFormats.OAuthRefreshTokenPrefix, newRefresh);
        Assert.True(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, newAccess)));

        // The old refresh token comes back (stolen): refused, and everything in the chain dies at once.
        var (reuseStatus, reuse) = await oauth.RefreshAsync(clientId, oldRefresh);
        Assert.Equal(HttpStatusCode.BadRequest, reuseStatus);
        Assert.Equal("invalid_grant", reuse.GetProperty("error").GetString());
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, newAccess)));
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, first.GetProperty("access_token").GetString()!)));
        var (afterStatus, _) = await oauth.RefreshAsync(clientId, newRefresh);
        Assert.Equal(HttpStatusCode.BadRequest, afterStatus);
    }

    [Fact]
    public async Task Refreshes_racing_with_one_refresh_token_redeem_it_once()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, first) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var refresh = first.GetProperty("refresh_token").GetString()!;
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => oauth.RefreshAsync(clientId, refresh)));

        // Each read the token as valid or as redeemed; only the one whose redemption was written first gets tokens,
        // and every other is a second use of the token: the chain dies, the tokens just issued with it.
        var (_, winner) = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, a.Status);
            Assert.Equal("invalid_grant", a.Body.GetProperty("error").GetString());
        });
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, winner.GetProperty("access_token").GetString()!)));
        Assert.Equal(HttpStatusCode.BadRequest, (await oauth.RefreshAsync(clientId, winner.GetProperty("refresh_token").GetString()!)).Status);
    }

    [Fact]
    public async Task Revoking_an_access_token_makes_introspection_inactive_at_once_and_sets_its_marker()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var tokenId = (await AuthServerSteps.IntrospectAsync(platform, accessToken)).GetProperty("jti").GetString()!;

        using var http = platform.CreateClient("authserver");
        using var revoke = await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = accessToken, ["token_type_hint"] = "access_token", ["client_id"] = clientId,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        Assert.True(await redis.GetDatabase().KeyExistsAsync(RevocationSignals.OAuthToken(tokenId)));
    }

    [Fact]
    public async Task A_remembered_introspection_answer_is_the_first_answer_for_the_right_secret_only_and_ends_with_the_token()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var secret = await platform.GetSecretAsync("introspection-client-secret");
        using var http = platform.CreateClient("authserver");

        // The first answer is OpenIddict's; the second (HTTP Basic this time) is the remembered one, and says the same.
        var first = await AuthServerSteps.IntrospectAsync(platform, accessToken);
        Assert.True(AuthServerSteps.IsActive(first));
        var (status, second) = await IntrospectAsync(http, accessToken, Basic("storefrontapi", secret));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(first.ToString(), second.ToString());

        // A wrong secret, or two ways of client authentication at once, are refused as before.
        (status, var refused) = await IntrospectAsync(http, accessToken, Basic("storefrontapi", secret + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", refused.GetProperty("error").GetString());
        (status, refused) = await IntrospectAsync(http, accessToken, Basic("storefrontapi", secret), ("client_secret", secret));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request", refused.GetProperty("error").GetString());

        // Revoked: the next introspection, by either form of authentication, is inactive.
        using var revoke = await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = accessToken, ["token_type_hint"] = "access_token", ["client_id"] = clientId,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        (status, var after) = await IntrospectAsync(http, accessToken, Basic("storefrontapi", secret));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(AuthServerSteps.IsActive(after));
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));
    }

    private static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> IntrospectAsync(
        HttpClient http, string token, System.Net.Http.Headers.AuthenticationHeaderValue client, params (string Name, string Value)[] extra)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/introspect")
        {
            Content = new FormUrlEncodedContent([new("token", token), .. extra.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))]),
        };
        request.Headers.Authorization = client;
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Resource_indicators_set_the_audience_and_unknown_resources_are_refused()
    {
        var mcp = platform.Endpoint("storefrontapi").AbsoluteUri.TrimEnd('/') + "/mcp";
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform, resource: mcp);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var introspection = await AuthServerSteps.IntrospectAsync(platform, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal([mcp], DiscoveryAndFlowTests.Audiences(introspection));

        using var http = platform.CreateClient("authserver", allowRedirects: false);
        var oauth = new OAuthTestClient(http);
        var other = await oauth.RegisterPublicClientAsync();
        using var response = await http.GetAsync(oauth.AuthorizeUrl(other, OAuthTestClient.NewPkce(), "read:orders", resource: "https://evil.example/api"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_target", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Introspection_requires_the_resource_server_credentials()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.GetProperty("access_token").GetString()!, ["client_id"] = "storefrontapi", ["client_secret"] = "wrong-secret-wrong-secret",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
