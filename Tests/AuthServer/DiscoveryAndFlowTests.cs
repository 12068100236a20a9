using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

[Collection(PlatformCollection.Name)]
public sealed class DiscoveryAndFlowTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Discovery_document_has_the_rfc8414_fields_and_only_oauth_21_grants(string path)
    {
        using var http = platform.CreateClient("authserver");
        var metadata = await http.GetFromJsonAsync<JsonElement>(path);
        var issuer = metadata.GetProperty("issuer").GetString()!;
        Assert.Equal(platform.Endpoint("authserver").AbsoluteUri, issuer);
        foreach (var (field, route) in new[]
        {
            ("authorization_endpoint", "oauth/authorize"), ("token_endpoint", "oauth/token"),
            ("revocation_endpoint", "oauth/revoke"), ("introspection_endpoint", "oauth/introspect"),
            ("registration_endpoint", "oauth/register"),
        })
        {
            Assert.Equal(issuer + route, metadata.GetProperty(field).GetString());
        }

        Assert.Equal(ScopeCatalogue.Names.Order(), Strings(metadata, "scopes_supported").Where(ScopeCatalogue.IsKnown).Order());
        Assert.Equal(["S256"], Strings(metadata, "code_challenge_methods_supported"));
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal(["code"], Strings(metadata, "response_types_supported"));
        var grants = Strings(metadata, "grant_types_supported");
        Assert.Contains("authorization_code", grants);
        Assert.Contains("refresh_token", grants);
        Assert.Contains("client_credentials", grants); // machine clients
        Assert.DoesNotContain("implicit", grants);
        Assert.DoesNotContain("password", grants);
        var methods = Strings(metadata, "token_endpoint_auth_methods_supported");
        Assert.Contains("none", methods);
        Assert.Contains("client_secret_basic", methods);
    }

    [Fact]
    public async Task Code_flow_with_pkce_through_sign_in_and_consent_issues_prefixed_tokens_bound_to_the_workspace()
    {
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders read:content");
        var pkce = OAuthTestClient.NewPkce();
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));

        // Not signed in: the authorization request leads to the sign-in page, then back, then consent.
        var first = await browser.GetAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders read:content").PathAndQuery);
        Assert.Equal("/account/login", first.Url.AbsolutePath);
        var consent = await first.SubmitAsync(browser, first.Form("Password"),
            new() { ["Email"] = AuthServerSteps.OwnerEmail, ["Password"] = AuthServerSteps.OwnerPassword });
        Assert.Equal("/oauth/authorize", consent.Url.AbsolutePath);
        Assert.Contains("End-to-end test agent", consent.Body);
        Assert.Contains("Read orders, fulfillment state, returns and exchanges", consent.Body);
        Assert.Contains(DemoWorkspace.Name, consent.Body);
        Assert.Equal("frame-ancestors 'none'", consent.Response.Headers.GetValues("Content-Security-Policy").Single().Split("; ").Single(d => d.StartsWith("frame-ancestors")));

        var end = await consent.SubmitAsync(browser, consent.Form("decision"), new() { ["decision"] = "allow" });
        Assert.Equal(HttpStatusCode.Redirect, end.Status);
        Assert.StartsWith(OAuthTestClient.LoopbackRedirectUri, end.Url.AbsoluteUri);
        var query = AuthServerSteps.Query(end.Url);
        Assert.Equal(pkce.State, query["state"]);
        Assert.Equal(platform.Endpoint("authserver").AbsoluteUri, query["iss"]);

        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"], pkce);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);
        Assert.StartsWith(CredentialFormats.OAuthRefreshTokenPrefix, tokens.GetProperty("refresh_token").GetString());
        Assert.Equal(CredentialKind.OAuthAccessToken, CredentialFormats.Classify(accessToken));
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.InRange(tokens.GetProperty("expires_in").GetInt32(), 3590, 3600);
        Assert.Equal(["read:content", "read:orders"], tokens.GetProperty("scope").GetString()!.Split(' ').Order());

        var introspection = await AuthServerSteps.IntrospectAsync(platform, accessToken);
        Assert.True(AuthServerSteps.IsActive(introspection), introspection.ToString());
        Assert.Equal(DemoWorkspace.Id.ToString(), introspection.GetProperty("org").GetString());
        Assert.Equal(clientId, introspection.GetProperty("client_id").GetString());
        Assert.False(string.IsNullOrEmpty(introspection.GetProperty("sub").GetString()));
        Assert.False(string.IsNullOrEmpty(introspection.GetProperty("jti").GetString()));
        Assert.False(string.IsNullOrEmpty(introspection.GetProperty("authorization_id").GetString()));
        Assert.Equal(["read:content", "read:orders"], introspection.GetProperty("scope").GetString()!.Split(' ').Order());
        Assert.Contains(platform.Endpoint("storefrontapi").AbsoluteUri.TrimEnd('/') + "/api/storefront/v1", Audiences(introspection));
        Assert.True(introspection.GetProperty("exp").GetInt64() > introspection.GetProperty("iat").GetInt64());

        // Consent is remembered: the same request again goes straight back to the client.
        var again = await browser.GetAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders read:content").PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, again.Status);
        Assert.True(AuthServerSteps.Query(again.Url).ContainsKey("code"));
    }

    [Fact]
    public async Task Token_endpoint_accepts_a_json_body_with_the_same_validation()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        using var http = platform.CreateClient("authserver");
        using var wrong = await http.PostAsJsonAsync("/oauth/token", new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = "not-a-code", ["redirect_uri"] = OAuthTestClient.LoopbackRedirectUri,
            ["client_id"] = clientId, ["code_verifier"] = pkce.Verifier,
        });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        using var right = await http.PostAsJsonAsync("/oauth/token", new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = OAuthTestClient.LoopbackRedirectUri,
            ["client_id"] = clientId, ["code_verifier"] = pkce.Verifier,
        });
        var body = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(right.IsSuccessStatusCode, body.ToString());
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, body.GetProperty("access_token").GetString());

        using var notJson = await http.PostAsync("/oauth/token", new StringContent("[1,2]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("invalid_request", (await notJson.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    internal static string[] Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    internal static string[] Audiences(JsonElement introspection) => introspection.GetProperty("aud") switch
    {
        { ValueKind: JsonValueKind.String } single => [single.GetString()!],
        var many => many.EnumerateArray().Select(e => e.GetString()!).ToArray(),
    };
}
