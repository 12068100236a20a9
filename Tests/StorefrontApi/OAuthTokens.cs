using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>
/// Gets real OAuth access tokens from the AuthServer the way a person would grant them, over plain HTTP: the dev
/// owner signs in (form fields Email/Password), the client (registered by DCR) asks with PKCE for a resource and
/// scopes, the owner allows (workspace + decision=allow), and the code is redeemed at the token endpoint.
/// </summary>
public sealed partial class OAuthTokens(PlatformFixture platform)
{
    public const string OwnerEmail = DemoWorkspace.DefaultOwnerEmail;
    public const string OwnerPassword = DemoWorkspace.DefaultOwnerPassword;
    private const string RedirectUri = "http://127.0.0.1:53682/callback";

    public enum Resource
    {
        Rest,
        Mcp,
    }

    public static string ResourceUri(PlatformFixture platform, Resource resource) =>
        platform.Endpoint("storefrontapi").ToString().TrimEnd('/') + (resource == Resource.Mcp ? "/mcp" : "/api/storefront/v1");

    public async Task<string> IssueAsync(IReadOnlyList<string> scopes, Resource resource)
    {
        using var browser = await SignedInBrowserAsync();
        var clientId = await RegisterClientAsync(browser.Client, scopes);

        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var authorize = QueryHelpers.AddQueryString("/oauth/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = string.Join(' ', scopes),
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["resource"] = ResourceUri(platform, resource),
        });

        using var consentPage = await browser.Client.GetAsync(authorize);
        var callback = consentPage.StatusCode == HttpStatusCode.Redirect
            ? consentPage.Headers.Location!
            : await AllowAsync(browser.Client, consentPage);
        Assert.StartsWith(RedirectUri, callback.ToString());
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal(state, query["state"].ToString());

        using var token = await browser.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"].ToString(),
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
        }));
        var body = await token.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(token.StatusCode == HttpStatusCode.OK, body.ToString());
        var accessToken = body.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);
        return accessToken;
    }

    /// <summary>The dashboard session JWT the dev owner gets at sign-in (for the tests that prove agent surfaces refuse it).</summary>
    public async Task<(string Name, string Value)> SessionCookieAsync()
    {
        using var browser = await SignedInBrowserAsync();
        var cookie = browser.Cookies.GetAllCookies()
            .First(c => c.Name is CredentialFormats.SessionCookieName or CredentialFormats.DevelopmentSessionCookieName);
        return (cookie.Name, cookie.Value);
    }

    private async Task<Browser> SignedInBrowserAsync()
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = platform.Endpoint("authserver"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var page = await client.GetAsync("/account/login");
        var fields = HiddenFields(await page.Content.ReadAsStringAsync());
        fields["Email"] = OwnerEmail;
        fields["Password"] = OwnerPassword;
        using var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, $"Sign-in answered {signIn.StatusCode}");
        return new Browser(client, cookies);
    }

    private static async Task<string> RegisterClientAsync(HttpClient authServer, IReadOnlyList<string> scopes)
    {
        using var response = await authServer.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "Storefront tests",
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope = string.Join(' ', scopes),
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("client_id").GetString()!;
    }

    private static async Task<Uri> AllowAsync(HttpClient authServer, HttpResponseMessage consentPage)
    {
        var html = await consentPage.Content.ReadAsStringAsync();
        Assert.True(consentPage.StatusCode == HttpStatusCode.OK, $"The consent page answered {consentPage.StatusCode}: {html}");
        var fields = HiddenFields(html);
        fields["decision"] = "allow";
        using var decision = await authServer.PostAsync("/oauth/authorize", new FormUrlEncodedContent(fields));
        Assert.True(decision.StatusCode == HttpStatusCode.Redirect, $"Consent answered {decision.StatusCode}");
        return decision.Headers.Location!;
    }

    /// <summary>The hidden inputs of a page's form (request parameters, workspace, antiforgery token).</summary>
    private static Dictionary<string, string> HiddenFields(string html)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputTag().Matches(html))
        {
            var tag = input.Value;
            if (!tag.Contains("type=\"hidden\"", StringComparison.Ordinal))
            {
                continue;
            }

            var name = Attribute(tag, "name");
            if (name is not null)
            {
                fields[name] = Attribute(tag, "value") ?? string.Empty;
            }
        }

        return fields;
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $"\\s{name}=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    private sealed record Browser(HttpClient Client, CookieContainer Cookies) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }
}
