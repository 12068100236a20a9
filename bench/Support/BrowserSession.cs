using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlyAspire.Bench.Support;

/// <summary>
/// The AuthServer used as a person and their agent use it, for a benchmark's credentials: a cookie session on its pages
/// (sign-in, forms, secrets shown once), dynamic registration and the code flow with PKCE.
/// </summary>
public sealed partial class BrowserSession(Uri authServer) : IDisposable
{
    public const string RedirectUri = "http://127.0.0.1:53682/callback";

    /// <summary>Keeps cookies and does not follow redirects, as the flows read them.</summary>
    public HttpClient Http { get; } = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = authServer };

    public async Task SignInAsync(string email, string password)
    {
        var login = HiddenFields(await Http.GetStringAsync("/account/login"));
        login["Email"] = email;
        login["Password"] = password;
        Expect(await Http.PostAsync("/account/login", new FormUrlEncodedContent(login)), HttpStatusCode.Redirect, "sign-in");
    }

    /// <summary>Registers a public client (RFC 7591) redirecting to <see cref="RedirectUri"/>; returns its client id.</summary>
    public async Task<string> RegisterPublicClientAsync(string name, string[] grantTypes, string scope)
    {
        var registration = await Http.PostAsJsonAsync("/oauth/register", new
        {
            client_name = name,
            redirect_uris = new[] { RedirectUri },
            grant_types = grantTypes,
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope,
        });
        Expect(registration, HttpStatusCode.Created, "client registration");
        return (await registration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;
    }

    /// <summary>Authorization code with PKCE for the signed-in person (allowing consent unless remembered); the token response.</summary>
    public async Task<JsonElement> CodeFlowAsync(string clientId, string scope, string? resource, string state)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(RedirectUri)}" +
                        $"&scope={Uri.EscapeDataString(scope)}&state={state}&code_challenge={challenge}&code_challenge_method=S256" +
                        (resource is null ? "" : $"&resource={Uri.EscapeDataString(resource)}");
        var callback = await CallbackAsync(await Http.GetAsync(authorize));
        var code = Regex.Match(callback.Query, "[?&]code=([^&]+)").Groups[1].Value;
        var token = await Http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = Uri.UnescapeDataString(code),
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
        }));
        Expect(token, HttpStatusCode.OK, "code redemption");
        return await token.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<Uri> CallbackAsync(HttpResponseMessage authorization)
    {
        if (authorization.StatusCode == HttpStatusCode.Redirect)
        {
            return authorization.Headers.Location!;
        }

        Expect(authorization, HttpStatusCode.OK, "consent page");
        var fields = HiddenFields(await authorization.Content.ReadAsStringAsync());
        fields["decision"] = "allow";
        var decision = await Http.PostAsync("/oauth/authorize", new FormUrlEncodedContent(fields));
        Expect(decision, HttpStatusCode.Redirect, "consent");
        return decision.Headers.Location!;
    }

    /// <summary>The form's hidden fields (the antiforgery token among them), to post back with the person's input.</summary>
    public static Dictionary<string, string> HiddenFields(string html)
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

    /// <summary>The value of the input with <paramref name="id"/> (a secret the page shows once).</summary>
    public static string InputValue(string html, string id) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"<input[^>]*id=\"{id}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The page shows no {id}.");

    public static void Expect(HttpResponseMessage response, HttpStatusCode status, string step)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"The {step} answered {(int)response.StatusCode}.");
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    public void Dispose() => Http.Dispose();
}
