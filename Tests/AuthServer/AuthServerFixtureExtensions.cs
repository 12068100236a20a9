using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>Protocol steps the AuthServer tests share: a signed-in consent, token requests, introspection as the resource server, JWT parts.</summary>
internal static class AuthServerSteps
{
    public const string OwnerEmail = DemoWorkspace.DefaultOwnerEmail;
    public const string OwnerPassword = DemoWorkspace.DefaultOwnerPassword;

    /// <summary>Registers a public client, signs the demo owner in, consents and returns the code.</summary>
    public static async Task<(string ClientId, OAuthTestClient.Pkce Pkce, string Code)> AuthorizeAsync(
        PlatformFixture platform, string scope = "read:orders read:content", string? resource = null)
    {
        using var http = platform.CreateClient("authserver");
        return await new OAuthTestClient(http).AuthorizeAsDemoOwnerAsync(scope, resource);
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
            ["client_secret"] = await platform.GetSecretAsync("introspection-client-secret"),
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    public static bool IsActive(JsonElement introspection) => introspection.GetProperty("active").GetBoolean();

    /// <summary>A JWT's header (0) or payload (1), decoded without checking the signature.</summary>
    public static JsonElement JwtPart(string jwt, int index) =>
        JsonDocument.Parse(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(jwt.Split('.')[index])).RootElement.Clone();
}
