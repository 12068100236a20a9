using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlyAspire.Shared.Development;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// The protocol side of an OAuth client for tests: registration, PKCE, authorization URL, token requests; and, for
/// tests that just need a grant, the development owner's consent given in an <see cref="AuthServerBrowser"/>.
/// </summary>
public sealed class OAuthTestClient(HttpClient authServer)
{
    public const string LoopbackRedirectUri = "http://127.0.0.1:53682/callback";

    public async Task<string> RegisterPublicClientAsync(string redirectUri = LoopbackRedirectUri, string scope = "read:orders")
    {
        using var response = await authServer.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "End-to-end test agent",
            redirect_uris = new[] { redirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("client_id").GetString()!;
    }

    public static Pkce NewPkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return new Pkce(verifier, challenge, WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)));
    }

    public Uri AuthorizeUrl(string clientId, Pkce pkce, string scope, string redirectUri = LoopbackRedirectUri, string? resource = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = pkce.State,
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
        };
        if (resource is not null)
        {
            query["resource"] = resource;
        }

        return new Uri(authServer.BaseAddress!, QueryHelpers.AddQueryString("/oauth/authorize", query));
    }

    /// <summary>
    /// Registers a public client for <paramref name="scope"/>, has the development owner sign in and allow it, and
    /// returns the code. <paramref name="resource"/> is the RFC 8707 resource indicator (the token's audience).
    /// </summary>
    public async Task<(string ClientId, Pkce Pkce, string Code)> AuthorizeAsDemoOwnerAsync(string scope, string? resource = null)
    {
        var clientId = await RegisterPublicClientAsync(scope: scope);
        var pkce = NewPkce();
        using var browser = new AuthServerBrowser(authServer.BaseAddress!);
        var end = await browser.AuthorizeAsync(AuthorizeUrl(clientId, pkce, scope, resource: resource),
            DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        Assert.True(end.Url.AbsoluteUri.StartsWith(LoopbackRedirectUri, StringComparison.Ordinal), $"No redirect to the client: {end.Url} {end.Body}");
        var query = QueryHelpers.ParseQuery(end.Url.Query);
        Assert.Equal(pkce.State, query["state"].ToString());
        var code = query["code"].ToString();
        Assert.False(string.IsNullOrEmpty(code), $"No code: {end.Url}");
        return (clientId, pkce, code);
    }

    public async Task<JsonElement> RedeemCodeAsync(string clientId, string code, Pkce pkce, string redirectUri = LoopbackRedirectUri)
    {
        using var response = await authServer.PostAsync("/oauth/token", new FormUrlEncodedContent(CodeRedemption(clientId, code, pkce.Verifier, redirectUri)));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    /// <summary>An authorization-code grant's form, for tests that expect it to be refused as well as redeemed.</summary>
    public static Dictionary<string, string> CodeRedemption(string clientId, string code, string verifier, string redirectUri = LoopbackRedirectUri) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = redirectUri,
        ["client_id"] = clientId,
        ["code_verifier"] = verifier,
    };

    /// <summary>A refresh-token grant; the status is returned, not asserted, as tests also expect refusals.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(string clientId, string refreshToken)
    {
        using var response = await authServer.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public sealed record Pkce(string Verifier, string Challenge, string State);
}
