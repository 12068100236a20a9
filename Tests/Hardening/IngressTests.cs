using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.Tests.Hardening;

/// <summary>
/// The platform behind a real TLS-terminating reverse proxy (YARP): an agent that knows only the public https URLs
/// walks discovery, dynamic registration, the PKCE code flow (sign-in and consent) and an API call, and everything it
/// is told (metadata, <c>iss</c>, protected-resource metadata, challenges) names the public https URLs.
/// </summary>
[Collection(IngressCollection.Name)]
public sealed class IngressTests(IngressPlatformFixture platform)
{
    private IngressProxy Ingress => platform.Ingress;

    [Fact]
    public async Task Discovery_registration_code_flow_and_an_agent_call_through_the_ingress_all_name_the_public_https_urls()
    {
        var issuer = Ingress.AuthServer.AbsoluteUri;
        using var authServer = Ingress.CreateClient(Ingress.AuthServer);
        using var shop = Ingress.CreateClient(new Uri(Ingress.Storefront));

        // Discovery (RFC 8414): the issuer and every endpoint are the public https ones.
        var metadata = await authServer.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal(issuer, metadata.GetProperty("issuer").GetString());
        var urls = metadata.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Contains("://", StringComparison.Ordinal)).ToList();
        Assert.Contains(urls, p => p.Name == "registration_endpoint");
        Assert.All(urls, p => Assert.StartsWith(issuer, p.Value.GetString()));
        var openId = await authServer.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        Assert.Equal(issuer, openId.GetProperty("issuer").GetString());

        // The resource server points agents at the same public URLs (RFC 9728 metadata and the 401 challenge).
        var resourceMetadata = await shop.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/api/storefront/v1");
        var restResource = Ingress.Storefront + "/api/storefront/v1";
        Assert.Equal(restResource, resourceMetadata.GetProperty("resource").GetString());
        Assert.All(resourceMetadata.GetProperty("authorization_servers").EnumerateArray(),
            server => Assert.StartsWith(issuer.TrimEnd('/'), server.GetString()));
        using (var anonymous = await shop.GetAsync("/api/storefront/v1/merchant/orders"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            var challenge = anonymous.Headers.WwwAuthenticate.Single(h => h.Scheme == "Bearer").Parameter;
            Assert.Contains($"resource_metadata=\"{Ingress.Storefront}/.well-known/oauth-protected-resource/api/storefront/v1\"", challenge);
        }

        // Dynamic registration at the advertised endpoint.
        using var registration = await authServer.PostAsJsonAsync(metadata.GetProperty("registration_endpoint").GetString(), new
        {
            client_name = "Agent behind the ingress",
            redirect_uris = new[] { OAuthTestClient.LoopbackRedirectUri },
            token_endpoint_auth_method = "none",
            grant_types = new[] { "authorization_code", "refresh_token" },
            scope = "read:orders",
        });
        Assert.Equal(HttpStatusCode.Created, registration.StatusCode);
        var clientId = (await registration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;

        // The code flow with PKCE: a person signs in and consents through the ingress (its cookies on https).
        var pkce = OAuthTestClient.NewPkce();
        var authorize = new Uri(QueryHelpers.AddQueryString(metadata.GetProperty("authorization_endpoint").GetString()!, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = OAuthTestClient.LoopbackRedirectUri,
            ["scope"] = "read:orders",
            ["state"] = pkce.State,
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
            ["resource"] = restResource,
        }));
        using var browser = new AuthServerBrowser(Ingress.AuthServer, Ingress.CreateHandler());
        var end = await browser.AuthorizeAsync(authorize, DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        Assert.True(end.Url.AbsoluteUri.StartsWith(OAuthTestClient.LoopbackRedirectUri, StringComparison.Ordinal), $"No redirect to the client: {end.Url} {end.Body}");
        var callback = QueryHelpers.ParseQuery(end.Url.Query);
        Assert.Equal(pkce.State, callback["state"].ToString());
        Assert.Equal(issuer, callback["iss"].ToString());
        // The session cookie is Secure (__Host-): the AuthServer believed the ingress's X-Forwarded-Proto.
        Assert.Contains(browser.Cookies.GetAllCookies(), cookie => cookie.Secure && cookie.Name.StartsWith("__Host-", StringComparison.Ordinal));

        using var token = await authServer.PostAsync(metadata.GetProperty("token_endpoint").GetString(),
            new FormUrlEncodedContent(OAuthTestClient.CodeRedemption(clientId, callback["code"]!, pkce.Verifier)));
        var tokens = await token.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(token.StatusCode == HttpStatusCode.OK, tokens.ToString());
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);

        // The agent's call: the token's audience is the public REST resource, and the API accepts it there.
        using var call = new HttpRequestMessage(HttpMethod.Get, "/api/storefront/v1/merchant/orders");
        call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var orders = await shop.SendAsync(call);
        Assert.True(orders.StatusCode == HttpStatusCode.OK, $"{(int)orders.StatusCode} {await orders.Content.ReadAsStringAsync()}");
    }
}
