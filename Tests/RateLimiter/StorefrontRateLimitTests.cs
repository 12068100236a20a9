using System.Net;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>The workspace limit as agents meet it: real API keys, both StorefrontApi replicas behind one endpoint.</summary>
[Collection(PlatformCollection.Name)]
public sealed class StorefrontRateLimitTests(PlatformFixture platform)
{
    private const string MePath = "/api/storefront/v1/merchant/me";

    [Fact]
    public async Task Fifty_concurrent_agents_over_both_storefront_replicas_are_allowed_exactly_the_workspace_limit()
    {
        const int limit = 100;
        var workspaceId = Guid.NewGuid();
        await RateLimiterAdmin.SetLimitsAsync(platform, workspaceId.ToString(), new LimitDto(limit, 3600, limit), new LimitDto(10_000, 3600, 10_000));

        // Two credentials of the workspace draw from its one budget.
        string[] keys =
        [
            await TestCredentials.CreateApiKeyAsync(platform, workspaceId, [ScopeCatalogue.Names[0]]),
            await TestCredentials.CreateApiKeyAsync(platform, workspaceId, [ScopeCatalogue.Names[0]]),
        ];
        using var storefront = platform.CreateClient("storefrontapi");
        await RateLimiterAdmin.WaitUntilDecidingAsync(platform);

        // Each key once on each replica first: the burst then measures the limit, not fifty cold verifications at once
        // against the KeyService (on a loaded CI machine a few of those outran the request-path deadline: 503).
        const int warmUps = 4;
        foreach (var key in new[] { keys[0], keys[0], keys[1], keys[1] })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, MePath);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.200");
            using var response = await storefront.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var agents = Enumerable.Range(0, 50).Select(async agent =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, MePath);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + keys[agent % 2]);
                // Each agent its own address, so the per-IP layer is not what refuses.
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.{agent + 1}");
                using var response = await storefront.SendAsync(request);
                statuses.Add(response.StatusCode);
            }

            return statuses;
        });
        var statuses = (await Task.WhenAll(agents)).SelectMany(s => s).ToList();

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"Unexpected {s}"));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), limit - warmUps - limit / 100, limit - warmUps + limit / 100);
    }
}
