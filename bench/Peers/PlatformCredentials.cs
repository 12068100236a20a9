using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlyAspire.Shared.Development;

namespace AlyAspire.Bench.Peers;

/// <summary>
/// What the AlyAspire side of the benchmark needs, obtained the way users obtain it: the development owner signs in to
/// the dashboard and creates a machine client there; an agent registers (RFC 7591) and walks the code flow with PKCE
/// once per refresh-token chain (consent is remembered after the first).
/// </summary>
internal sealed partial class PlatformCredentials(Uri authServer) : IDisposable
{
    private const string RedirectUri = "http://127.0.0.1:53682/callback";
    private const string Scope = "read:orders";

    private readonly HttpClient _browser = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = authServer };

    public async Task SignInAsync()
    {
        var login = HiddenFields(await _browser.GetStringAsync("/account/login"));
        login["Email"] = DemoWorkspace.DefaultOwnerEmail;
        login["Password"] = DemoWorkspace.DefaultOwnerPassword;
        Expect(await _browser.PostAsync("/account/login", new FormUrlEncodedContent(login)), HttpStatusCode.Redirect, "sign-in");
    }

    /// <summary>A machine client with <c>read:orders</c>, created on the dashboard's machine-clients page.</summary>
    public async Task<(string ClientId, string Secret)> CreateMachineClientAsync()
    {
        var form = HiddenFields(await _browser.GetStringAsync("/settings/machine-clients"));
        form["name"] = "peer benchmark";
        form["scopes"] = Scope;
        var created = await _browser.PostAsync("/settings/machine-clients?handler=Create", new FormUrlEncodedContent(form));
        Expect(created, HttpStatusCode.OK, "machine client creation");
        var html = await created.Content.ReadAsStringAsync();
        return (InputValue(html, "new-client-id"), InputValue(html, "new-secret"));
    }

    /// <summary>A public client with the refresh_token grant, and <paramref name="chains"/> refresh tokens of its own.</summary>
    public async Task<(string ClientId, string[] RefreshTokens)> RefreshChainsAsync(int chains)
    {
        var registration = await _browser.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "Peer benchmark agent",
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope = Scope,
        });
        Expect(registration, HttpStatusCode.Created, "client registration");
        var clientId = (await registration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;

        var tokens = new string[chains];
        for (var i = 0; i < chains; i++)
        {
            var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
            var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(RedirectUri)}" +
                            $"&scope={Uri.EscapeDataString(Scope)}&state=bench{i}&code_challenge={challenge}&code_challenge_method=S256";
            var consent = await _browser.GetAsync(authorize);
            var callback = consent.StatusCode == HttpStatusCode.Redirect ? consent.Headers.Location! : await AllowAsync(consent);
            var code = Regex.Match(callback.Query, "[?&]code=([^&]+)").Groups[1].Value;
            var token = await _browser.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = Uri.UnescapeDataString(code),
                ["redirect_uri"] = RedirectUri,
                ["client_id"] = clientId,
                ["code_verifier"] = verifier,
            }));
            Expect(token, HttpStatusCode.OK, "code redemption");
            tokens[i] = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!;
        }

        return (clientId, tokens);
    }

    private async Task<Uri> AllowAsync(HttpResponseMessage consentPage)
    {
        Expect(consentPage, HttpStatusCode.OK, "consent page");
        var fields = HiddenFields(await consentPage.Content.ReadAsStringAsync());
        fields["decision"] = "allow";
        var decision = await _browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(fields));
        Expect(decision, HttpStatusCode.Redirect, "consent");
        return decision.Headers.Location!;
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status, string step)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"The {step} answered {(int)response.StatusCode}.");
        }
    }

    private static string InputValue(string html, string id) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"<input[^>]*id=\"{id}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The page shows no {id}.");

    private static Dictionary<string, string> HiddenFields(string html)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputTag().Matches(html))
        {
            var name = Regex.Match(input.Value, "\\sname=\"([^\"]*)\"");
            var value = Regex.Match(input.Value, "\\svalue=\"([^\"]*)\"");
            if (input.Value.Contains("type=\"hidden\"", StringComparison.Ordinal) && name.Success)
            {
                fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : string.Empty;
            }
        }

        return fields;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    public void Dispose() => _browser.Dispose();
}
