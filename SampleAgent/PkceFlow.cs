using AlyAspire.Shared.Routes;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.SampleAgent;

/// <summary>
/// OAuth 2.1 as a third-party agent does it: discovery (RFC 8414) → dynamic registration (RFC 7591) →
/// authorization with PKCE S256 and state, the code received on a loopback redirect (RFC 8252) → token →
/// API calls → refresh (rotation) → revocation (RFC 7009) → the next call fails with 401.
/// </summary>
internal sealed class PkceFlow(AgentSettings settings, StepReport report)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // 1. Discovery.
        using var discovery = await report.SendAsync("Discovery: /.well-known/oauth-authorization-server", http,
            new HttpRequestMessage(HttpMethod.Get, new Uri(settings.AuthServer, "/.well-known/oauth-authorization-server")), HttpStatusCode.OK, ct);
        var metadata = await discovery.Content.ReadFromJsonAsync<JsonElement>(ct);
        var issuer = Required(metadata, "issuer");
        var registrationEndpoint = Required(metadata, "registration_endpoint");
        var authorizationEndpoint = Required(metadata, "authorization_endpoint");
        var tokenEndpoint = Required(metadata, "token_endpoint");
        var revocationEndpoint = Required(metadata, "revocation_endpoint");
        if (!metadata.TryGetProperty("code_challenge_methods_supported", out var methods) ||
            !methods.EnumerateArray().Any(m => m.GetString() == "S256"))
        {
            throw new AgentStepFailedException("the server does not advertise PKCE S256");
        }

        report.Info($"issuer {issuer}");

        // 2. A loopback listener on an ephemeral port receives the redirect (RFC 8252 §7.3).
        using var listener = LoopbackRedirectListener.Start();
        report.Info($"listening for the redirect on {listener.RedirectUri}");

        // 3. Dynamic client registration: a public client (no secret), as native apps and agents are.
        using var registration = await report.SendAsync("Register client (RFC 7591)", http,
            new HttpRequestMessage(HttpMethod.Post, registrationEndpoint)
            {
                Content = JsonContent.Create(new
                {
                    client_name = "AlyAspire SampleAgent",
                    redirect_uris = new[] { listener.RedirectUri.ToString() },
                    grant_types = new[] { "authorization_code", "refresh_token" },
                    response_types = new[] { "code" },
                    token_endpoint_auth_method = "none",
                    scope = settings.Scope,
                }),
            }, HttpStatusCode.Created, ct);
        var clientId = Required(await registration.Content.ReadFromJsonAsync<JsonElement>(ct), "client_id");
        report.Info($"client_id {clientId}");

        // 4. Authorization request with PKCE S256 and state.
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var authorizeUrl = QueryHelpers.AddQueryString(authorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = listener.RedirectUri.ToString(),
            ["scope"] = settings.Scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });

        var stopwatch = Stopwatch.StartNew();
        var callbackTask = listener.WaitForCallbackAsync(ct);
        if (settings.Headless)
        {
            await new HeadlessBrowser(settings, report).SignInAndConsentAsync(new Uri(authorizeUrl), ct);
        }
        else
        {
            report.Info("Open this URL in a browser, sign in and allow access:");
            report.Info(authorizeUrl);
            BrowserLauncher.TryOpen(authorizeUrl);
        }

        var callback = await callbackTask.WaitAsync(TimeSpan.FromMinutes(5), ct);
        string Parameter(string name) => callback.TryGetValue(name, out var value) ? value.ToString() : string.Empty;
        if (Parameter("error") is { Length: > 0 } error)
        {
            throw new AgentStepFailedException($"authorization refused: {error} {Parameter("error_description")}");
        }

        if (Parameter("state") != state)
        {
            throw new AgentStepFailedException("the redirect's state does not match the request's: possible CSRF");
        }

        if (Parameter("iss") != issuer)
        {
            throw new AgentStepFailedException($"the redirect's iss ({Parameter("iss")}) is not the issuer (RFC 9207)");
        }

        var code = Parameter("code");
        report.Pass("Authorization code received on the loopback redirect", "state ✓ iss ✓", stopwatch.Elapsed);

        // 5. Code exchange with the verifier.
        var tokens = await TokenRequestAsync(http, tokenEndpoint, "Exchange code for tokens", new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = listener.RedirectUri.ToString(),
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
        }, ct);

        // 6. Call the merchant API with the OAuth access token.
        await CallOrdersAsync(http, tokens.AccessToken, HttpStatusCode.OK, "GET /orders with the OAuth token", ct);

        // 7. Refresh: the refresh token rotates on every use.
        var refreshed = await TokenRequestAsync(http, tokenEndpoint, "Refresh the access token", new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.RefreshToken,
            ["client_id"] = clientId,
        }, ct);
        if (refreshed.RefreshToken == tokens.RefreshToken)
        {
            throw new AgentStepFailedException("the refresh token was not rotated");
        }

        await CallOrdersAsync(http, refreshed.AccessToken, HttpStatusCode.OK, "GET /orders with the refreshed token", ct);

        // 8. Revoke, then the very next call fails.
        using var revoke = await report.SendAsync("Revoke the access token (RFC 7009)", http,
            new HttpRequestMessage(HttpMethod.Post, revocationEndpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["token"] = refreshed.AccessToken,
                    ["token_type_hint"] = "access_token",
                    ["client_id"] = clientId,
                }),
            }, HttpStatusCode.OK, ct);
        await CallOrdersAsync(http, refreshed.AccessToken, HttpStatusCode.Unauthorized, "GET /orders after revocation is refused", ct);

        report.Done("the OAuth 2.1 + PKCE path behaves as promised.");
    }

    private async Task<TokenSet> TokenRequestAsync(HttpClient http, string tokenEndpoint, string description, Dictionary<string, string> form, CancellationToken ct)
    {
        using var response = await report.SendAsync(description, http,
            new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) }, HttpStatusCode.OK, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
        var tokens = new TokenSet(Required(body, "access_token"), Required(body, "refresh_token"));
        if (!tokens.AccessToken.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, StringComparison.Ordinal))
        {
            throw new AgentStepFailedException("the access token does not carry the aly_oauth_ prefix");
        }

        report.Info($"access_token {CredentialFormats.DisplayForm(tokens.AccessToken)}  refresh_token {CredentialFormats.DisplayForm(tokens.RefreshToken)}  " +
                    $"expires_in {body.GetProperty("expires_in")}  scope \"{body.GetProperty("scope")}\"");
        return tokens;
    }

    private async Task CallOrdersAsync(HttpClient http, string accessToken, HttpStatusCode expected, string description, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.StorefrontApi, AgentRoutes.Merchant + "/orders"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await report.SendAsync(description, http, request, expected, ct);
        if (expected == HttpStatusCode.Unauthorized)
        {
            report.Info($"WWW-Authenticate: {response.Headers.WwwAuthenticate}");
        }
    }

    private static string Required(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new AgentStepFailedException($"the response has no {property}");

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    private sealed record TokenSet(string AccessToken, string RefreshToken);
}
