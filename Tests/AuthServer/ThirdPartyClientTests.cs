using AlyAspire.Shared.Credentials;
using AlyAspire.Tests.Infrastructure;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// A strict third-party OAuth library (Duende.IdentityModel, default discovery policy: issuer match, endpoints
/// under the authority, key set present) registers, authorizes, redeems, refreshes and revokes against the AuthServer.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ThirdPartyClientTests(PlatformFixture platform)
{
    [Fact]
    public async Task Duende_identity_model_completes_registration_code_flow_refresh_and_revocation()
    {
        using var http = platform.CreateClient("authserver");
        var authority = platform.Endpoint("authserver").AbsoluteUri.TrimEnd('/');
        var disco = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = authority,
            Policy = new DiscoveryPolicy { Authority = authority },
        });
        Assert.False(disco.IsError, disco.Error);
        Assert.NotNull(disco.RegistrationEndpoint);

        const string redirectUri = "http://127.0.0.1:7890/callback";
        var registration = await http.RegisterClientAsync(new DynamicClientRegistrationRequest
        {
            Address = disco.RegistrationEndpoint,
            Document = new DynamicClientRegistrationDocument
            {
                ClientName = "Duende test client",
                RedirectUris = { new Uri(redirectUri) },
                GrantTypes = { OidcConstants.GrantTypes.AuthorizationCode, OidcConstants.GrantTypes.RefreshToken },
                ResponseTypes = { OidcConstants.ResponseTypes.Code },
                TokenEndpointAuthenticationMethod = "none",
                Scope = "read:orders read:analytics",
            },
        });
        Assert.False(registration.IsError, registration.Error);

        var pkce = OAuthTestClient.NewPkce();
        var authorizeUrl = new RequestUrl(disco.AuthorizeEndpoint!).CreateAuthorizeUrl(
            clientId: registration.ClientId!,
            responseType: OidcConstants.ResponseTypes.Code,
            scope: "read:orders read:analytics",
            redirectUri: redirectUri,
            state: pkce.State,
            codeChallenge: pkce.Challenge,
            codeChallengeMethod: OidcConstants.CodeChallengeMethods.Sha256);

        // The browser part: the real sign-in and consent forms.
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var end = await browser.AuthorizeAsync(new Uri(authorizeUrl), AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var callback = new AuthorizeResponse(end.Url.AbsoluteUri);
        Assert.False(callback.IsError, callback.Error);
        Assert.Equal(pkce.State, callback.State);
        Assert.Equal(disco.Issuer, Uri.UnescapeDataString(callback.Values["iss"]));

        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint!,
            ClientId = registration.ClientId!,
            Code = callback.Code!,
            RedirectUri = redirectUri,
            CodeVerifier = pkce.Verifier,
        });
        Assert.False(tokens.IsError, tokens.Error);
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, tokens.AccessToken);
        Assert.Equal(OidcConstants.TokenResponse.BearerTokenType, tokens.TokenType);

        var refreshed = await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = disco.TokenEndpoint!,
            ClientId = registration.ClientId!,
            RefreshToken = tokens.RefreshToken!,
        });
        Assert.False(refreshed.IsError, refreshed.Error);

        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint!,
            ClientId = registration.ClientId!,
            Token = refreshed.AccessToken!,
            TokenTypeHint = OidcConstants.TokenTypes.AccessToken,
        });
        Assert.False(revoked.IsError, revoked.Error);

        var introspection = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint!,
            ClientId = "storefrontapi",
            ClientSecret = await platform.GetSecretAsync("introspection-client-secret"),
            Token = refreshed.AccessToken!,
        });
        Assert.False(introspection.IsError, introspection.Error);
        Assert.False(introspection.IsActive);
    }
}
