using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlyAspire.AppHost.Hosting;
using System.Text.RegularExpressions;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;

namespace AlyAspire.Bench.Storefront;

/// <summary>A real API key (KeyService internal API) and a real OAuth access token (AuthServer sign-in, consent, PKCE).</summary>
internal static partial class BenchCredentials
{
    private const string RedirectUri = "http://127.0.0.1:53682/callback";

    /// <summary>A per-workspace override (RateLimiter internal API) far above what the benchmark sends.</summary>
    public static async Task RaiseWorkspaceLimitsAsync(BenchStack stack)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("ratelimiter") };
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await stack.SecretAsync(ServiceCredentialExtensions.Name("storefrontapi", "ratelimiter")));
        var generous = new { requestsPerWindow = 1_000_000, windowSeconds = 60, burst = 100_000 };
        Expect(await http.PutAsJsonAsync($"/internal/workspaces/{DemoWorkspace.Id}/limits", new { workspace = generous, perCredential = generous }),
            HttpStatusCode.OK, "limit override");
    }

    public static async Task<string> ApiKeyAsync(BenchStack stack)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("keyservice") };
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await stack.SecretAsync(ServiceCredentialExtensions.Name("authserver", "keyservice")));
        var created = await new ApiKeyClient(http).CreateAsync(DemoWorkspace.Id, new CreateApiKeyRequest("benchmark", [ScopeCatalogue.ReadOrders], null),
            ApiKeyActor.Person(new ActorAssertions(
                Microsoft.Extensions.Options.Options.Create(new ActorAssertionOptions { SigningKey = await stack.SecretAsync("actor-assertion-key") }),
                TimeProvider.System).Issue(Guid.NewGuid(), DemoWorkspace.Id, WorkspaceRoles.Owner, null)));
        return created.Secret;
    }

    public static async Task<string> OAuthTokenAsync(BenchStack stack)
    {
        var cookies = new CookieContainer();
        using var auth = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = stack.Endpoint("authserver") };

        var login = HiddenFields(await auth.GetStringAsync("/account/login"));
        login["Email"] = DemoWorkspace.DefaultOwnerEmail;
        login["Password"] = DemoWorkspace.DefaultOwnerPassword;
        Expect(await auth.PostAsync("/account/login", new FormUrlEncodedContent(login)), HttpStatusCode.Redirect, "sign-in");

        var registration = await auth.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "Storefront benchmark",
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope = ScopeCatalogue.ReadOrders,
        });
        Expect(registration, HttpStatusCode.Created, "client registration");
        var clientId = (await registration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var resource = stack.Endpoint("storefrontapi").ToString().TrimEnd('/') + "/api/storefront/v1";
        var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(RedirectUri)}" +
                        $"&scope={Uri.EscapeDataString(ScopeCatalogue.ReadOrders)}&state=bench&code_challenge={challenge}&code_challenge_method=S256" +
                        $"&resource={Uri.EscapeDataString(resource)}";
        var consent = await auth.GetAsync(authorize);
        var callback = consent.StatusCode == HttpStatusCode.Redirect ? consent.Headers.Location! : await AllowAsync(auth, consent);
        var code = Regex.Match(callback.Query, "[?&]code=([^&]+)").Groups[1].Value;

        var token = await auth.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = Uri.UnescapeDataString(code),
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
        }));
        Expect(token, HttpStatusCode.OK, "token request");
        return (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static async Task<Uri> AllowAsync(HttpClient auth, HttpResponseMessage consentPage)
    {
        Expect(consentPage, HttpStatusCode.OK, "consent page");
        var fields = HiddenFields(await consentPage.Content.ReadAsStringAsync());
        fields["decision"] = "allow";
        var decision = await auth.PostAsync("/oauth/authorize", new FormUrlEncodedContent(fields));
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
}
