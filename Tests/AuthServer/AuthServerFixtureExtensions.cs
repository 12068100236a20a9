using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>Protocol steps the AuthServer tests share: a signed-in consent, token requests, introspection as the resource server.</summary>
internal static class AuthServerSteps
{
    public const string OwnerEmail = DemoWorkspace.DefaultOwnerEmail;
    public const string OwnerPassword = DemoWorkspace.DefaultOwnerPassword;

    /// <summary>Registers a public client, signs the demo owner in, consents and returns the code.</summary>
    public static async Task<(string ClientId, OAuthTestClient.Pkce Pkce, string Code)> AuthorizeAsync(
        PlatformFixture platform, string scope = "read:orders read:content", string? resource = null)
    {
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(scope: scope);
        var pkce = OAuthTestClient.NewPkce();
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var end = await browser.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, scope, resource: resource), OwnerEmail, OwnerPassword);
        var code = Query(end.Url)["code"] ?? throw new InvalidOperationException($"No code: {end.Url} {end.Body}");
        return (clientId, pkce, code);
    }

    public static Dictionary<string, string> Query(Uri uri) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    public static async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> TokenAsync(PlatformFixture platform, Dictionary<string, string> form)
    {
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsync("/oauth/token", new FormUrlEncodedContent(form));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Introspects as the StorefrontApi does: client <c>storefrontapi</c>, secret = the internal service key.</summary>
    public static async Task<JsonElement> IntrospectAsync(PlatformFixture platform, string token)
    {
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["client_id"] = "storefrontapi",
            ["client_secret"] = await platform.GetSecretAsync("internal-service-key"),
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    public static bool IsActive(JsonElement introspection) => introspection.GetProperty("active").GetBoolean();
}
