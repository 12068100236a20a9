using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.RateLimiter;
using StackExchange.Redis;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// The OAuth endpoints' limits per client id and per client address, counted in Redis for every AuthServer instance
/// and per instance while Redis is gone. The test stack allows <see cref="TestStackSettings.TokenRequestsPerClient"/>
/// token requests per client id per minute; each test uses client ids and addresses of its own.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OAuthEndpointLimitTests(PlatformFixture platform)
{
    [Fact]
    public async Task Token_requests_past_the_per_client_limit_get_an_oauth_429_from_any_address_and_are_counted_in_redis()
    {
        using var http = platform.CreateClient("authserver");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        await ThrottleCounts.WaitUntilCountedInRedisAsync(platform, redis.GetDatabase());
        var clientId = $"limited-{Guid.NewGuid():N}";

        // Each from another address: only the client id ties them together.
        for (var i = 1; i <= TestStackSettings.TokenRequestsPerClient; i++)
        {
            using var answered = await RedeemBogusCodeAsync(http, clientId, $"198.18.60.{i}");
            Assert.NotEqual(HttpStatusCode.TooManyRequests, answered.StatusCode);
        }

        using var refused = await RedeemBogusCodeAsync(http, clientId, "198.18.60.200");
        await AssertOAuthRefusalAsync(refused);

        // Another client from the very same address is not affected.
        using var other = await RedeemBogusCodeAsync(http, $"other-{Guid.NewGuid():N}", "198.18.60.200");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);

        // The count is Redis's (every instance sees it), under a hash of the client id, expiring with its window.
        var key = ThrottleCounts.Key("token:client", clientId);
        Assert.Equal(TestStackSettings.TokenRequestsPerClient + 1, (long)await redis.GetDatabase().StringGetAsync(key));
        Assert.InRange(await redis.GetDatabase().KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Assert.False(await redis.GetDatabase().KeyExistsAsync($"aly:throttle:token:client:{clientId}"));
    }

    [Fact]
    public async Task A_client_id_sent_with_http_basic_counts_against_the_same_client()
    {
        using var http = platform.CreateClient("authserver");
        var clientId = $"basic-{Guid.NewGuid():N}";
        for (var i = 1; i <= TestStackSettings.TokenRequestsPerClient; i++)
        {
            using var answered = await RedeemBogusCodeAsync(http, clientId, $"198.18.61.{i}", basic: i % 2 == 0);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, answered.StatusCode);
        }

        using var refused = await RedeemBogusCodeAsync(http, clientId, "198.18.61.200", basic: true);
        await AssertOAuthRefusalAsync(refused);
    }

    [Fact]
    public async Task Without_redis_each_instance_keeps_limiting_on_its_own_and_answers_at_once()
    {
        using var http = platform.CreateClient("authserver");
        try
        {
            await RedisOutageTests.StopRedisAsync(platform);

            // Fail open to a local window of the same size: the limit still holds, nothing waits for Redis.
            var clientId = $"no-redis-{Guid.NewGuid():N}";
            for (var i = 1; i <= TestStackSettings.TokenRequestsPerClient; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var answered = await RedeemBogusCodeAsync(http, clientId, $"198.18.62.{i}");
                Assert.NotEqual(HttpStatusCode.TooManyRequests, answered.StatusCode);
                Assert.True(answered.StatusCode < HttpStatusCode.InternalServerError, $"{answered.StatusCode} without Redis");
                Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(5));
            }

            using var refused = await RedeemBogusCodeAsync(http, clientId, "198.18.62.200");
            await AssertOAuthRefusalAsync(refused);

            // The failed sign-in counter too: an e-mail is locked after its failures, Redis or not.
            var email = $"no-redis-{Guid.NewGuid():N}@shop.example";
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                using var guesser = Browser($"198.18.63.{attempt}");
                Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SignInAsync(email, $"wrong-{attempt}")).Status);
            }

            using var late = Browser("198.18.63.100");
            Assert.Equal(HttpStatusCode.TooManyRequests, (await late.SignInAsync(email, "any-password")).Status);
        }
        finally
        {
            await RedisOutageTests.StartRedisAsync(platform);
        }
    }

    [Fact]
    public async Task Client_registration_past_the_per_address_limit_gets_the_rfc_7591_error_form()
    {
        // The per-address budget is spent from one /64 by many of its addresses.
        using var http = platform.CreateClient("authserver");
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, TestStackSettings.RegistrationPermitsPerMinute), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/register") { Content = new StringContent("not json", Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"2001:db8:65:1:{i:x}::1");
                using var response = await http.SendAsync(request, ct);
                statuses.Add(response.StatusCode);
            });
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);

        using var refusedRequest = new HttpRequestMessage(HttpMethod.Post, "/oauth/register")
        {
            Content = JsonContent.Create(new { redirect_uris = new[] { "http://127.0.0.1:53682/callback" }, token_endpoint_auth_method = "none" }),
        };
        refusedRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", "2001:db8:65:1:ffff::1");
        using var refused = await http.SendAsync(refusedRequest);
        await AssertOAuthRefusalAsync(refused);
    }

    private static Task<HttpResponseMessage> RedeemBogusCodeAsync(HttpClient http, string clientId, string clientAddress, bool basic = false)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = "not-a-code",
            ["redirect_uri"] = "http://127.0.0.1:53682/callback",
            ["code_verifier"] = new string('v', 64),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token");
        if (basic)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:a-guessed-secret")));
        }
        else
        {
            form["client_id"] = clientId;
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", clientAddress);
        return http.SendAsync(request);
    }

    private static async Task AssertOAuthRefusalAsync(HttpResponseMessage refused)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", refused.Headers.CacheControl?.ToString() ?? string.Empty);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("temporarily_unavailable", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
    }

    private AuthServerBrowser Browser(string clientAddress)
    {
        var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        return browser;
    }
}
