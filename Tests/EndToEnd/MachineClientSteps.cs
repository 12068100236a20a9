using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// Machine clients as their owner and their service use them: created and rotated on the dashboard's
/// "Machine clients" page in a real browser, tokens from the token endpoint with the client_credentials grant.
/// </summary>
internal static class MachineClientSteps
{
    public const string PagePath = "/settings/machine-clients";

    /// <summary>
    /// Creates a machine client on the open machine clients page (<see cref="PagePath"/>) with <paramref name="scopes"/>
    /// and, if given, the UCP platform profile it is bound to; returns the client id and secret shown once.
    /// </summary>
    public static async Task<(string ClientId, string Secret)> CreateAsync(
        BrowserPerson person, string name, IEnumerable<string> scopes, string? platformProfile = null)
    {
        await SubmitCreateFormAsync(person, name, scopes, platformProfile);
        var clientId = await person.Page.InputValueAsync("#new-client-id");
        var secret = await person.Page.InputValueAsync("#new-secret");
        Assert.StartsWith(CredentialFormats.MachineClientSecretPrefix, secret);
        return (clientId, secret);
    }

    /// <summary>Fills in and submits the page's create form, whatever the page answers.</summary>
    public static async Task SubmitCreateFormAsync(BrowserPerson person, string name, IEnumerable<string> scopes, string? platformProfile = null)
    {
        await person.Page.FillAsync("input[name=name]", name);
        foreach (var scope in scopes)
        {
            await person.Page.CheckAsync($"input[name=scopes][value='{scope}']");
        }

        if (platformProfile is not null)
        {
            await person.Page.FillAsync("input[name=platformProfile]", platformProfile);
        }

        await person.Page.Locator("form:has(input[name=name]) [type=submit]").ClickAsync();
    }

    /// <summary>Rotates the secret of the client named <paramref name="name"/> on the open page; returns the new secret.</summary>
    public static async Task<string> RotateAsync(BrowserPerson person, string name, int graceHours)
    {
        var row = person.Page.Locator($"tr:has-text('{name}')");
        await row.Locator("input[name=graceHours]").FillAsync(graceHours.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await row.Locator("form[action*='handler=Rotate'] [type=submit]").ClickAsync();
        var secret = await person.Page.InputValueAsync("#new-secret");
        Assert.StartsWith(CredentialFormats.MachineClientSecretPrefix, secret);
        return secret;
    }

    /// <summary>The token endpoint's answer to a client_credentials grant with client_secret_basic.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GrantAsync(PlatformFixture platform, string clientId, string secret, string? scope = null)
    {
        using var authServer = platform.CreateClient("authserver");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token");
        // client_secret_basic (RFC 6749 §2.3.1): both parts form-encoded, then Base64.
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await authServer.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>An access token for the client, with all of its scopes.</summary>
    public static async Task<string> AccessTokenAsync(PlatformFixture platform, string clientId, string secret)
    {
        var (status, body) = await GrantAsync(platform, clientId, secret);
        Assert.Equal(HttpStatusCode.OK, status);
        var token = body.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, token);
        return token;
    }
}
