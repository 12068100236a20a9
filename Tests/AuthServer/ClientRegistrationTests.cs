using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>Dynamic client registration (RFC 7591).</summary>
[Collection(PlatformCollection.Name)]
public sealed class ClientRegistrationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_public_client_is_registered_without_a_secret()
    {
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "CLI agent",
            redirect_uris = new[] { "http://127.0.0.1:8976/callback", "http://[::1]/cb" },
            token_endpoint_auth_method = "none",
            grant_types = new[] { "authorization_code", "refresh_token" },
            scope = "read:orders read:content",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("client_", body.GetProperty("client_id").GetString());
        Assert.False(body.TryGetProperty("client_secret", out _));
        Assert.Equal("none", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal("CLI agent", body.GetProperty("client_name").GetString());
        Assert.Equal(2, body.GetProperty("redirect_uris").GetArrayLength());
        Assert.True(body.GetProperty("client_id_issued_at").GetInt64() > 0);
    }

    [Theory]
    [InlineData("client_secret_basic")]
    [InlineData("client_secret_post")]
    public async Task A_confidential_client_gets_its_secret_once_and_can_use_it(string method)
    {
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "Server-side integration",
            redirect_uris = new[] { "https://integration.example/callback" },
            token_endpoint_auth_method = method,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var clientId = body.GetProperty("client_id").GetString()!;
        var secret = body.GetProperty("client_secret").GetString()!;
        Assert.True(secret.Length >= 43);
        Assert.Equal(0, body.GetProperty("client_secret_expires_at").GetInt64());

        // The secret authenticates the client (a bogus code is then the only thing wrong); a wrong one does not.
        var request = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = "bogus", ["redirect_uri"] = "https://integration.example/callback",
            ["client_id"] = clientId, ["client_secret"] = secret, ["code_verifier"] = OAuthTestClient.NewPkce().Verifier,
        };
        var (status, error) = await AuthServerSteps.TokenAsync(platform, request);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
        request["client_secret"] = "wrong";
        (status, error) = await AuthServerSteps.TokenAsync(platform, request);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", error.GetProperty("error").GetString());
    }

    public static TheoryData<string, string> BadMetadata => new()
    {
        { """{"client_name":"x","token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":[],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["http://app.example/callback"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/callback#frag"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["/relative"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["com.example.app:/callback"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["implicit"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["password"]}""", "invalid_client_metadata" },
        // A machine client needs an owner: only the dashboard creates them.
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code","client_credentials"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["refresh_token"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"scope":"read:orders launch:missiles"}""", "invalid_client_metadata" },
        { """{"redirect_uris":"https://app.example/cb"}""", "invalid_client_metadata" },
        { """not json""", "invalid_client_metadata" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task Bad_metadata_is_refused_with_the_rfc7591_error_and_a_description(string json, string expectedError)
    {
        using var http = platform.CreateClient("authserver");
        using var response = await http.PostAsync("/oauth/register", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expectedError, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task Registration_past_the_per_address_limit_is_refused_with_429_and_retry_after()
    {
        // A made-up client address (believed from the test host's loopback proxy), so the other tests' own
        // registrations from loopback are not used up.
        using var http = platform.CreateClient("authserver");
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.18.3.1");
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        // Invalid metadata is refused after the limiter has counted it, without creating any client.
        await Parallel.ForEachAsync(Enumerable.Range(0, TestStackSettings.RegistrationPermitsPerMinute), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (_, ct) =>
            {
                using var response = await http.PostAsync("/oauth/register", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), ct);
                statuses.Add(response.StatusCode);
            });
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.BadRequest, status));

        using var refused = await http.PostAsJsonAsync("/oauth/register", new
        {
            redirect_uris = new[] { "https://integration.example/callback" },
            token_endpoint_auth_method = "none",
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AlyAspire.Shared.Errors.OAuthErrorCodes.TemporarilyUnavailable, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));

        // Another address is not affected.
        using var elsewhere = platform.CreateClient("authserver");
        elsewhere.DefaultRequestHeaders.Add("X-Forwarded-For", "198.18.3.2");
        using var accepted = await elsewhere.PostAsJsonAsync("/oauth/register", new
        {
            redirect_uris = new[] { "https://integration.example/callback" },
            token_endpoint_auth_method = "none",
        });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }
}
