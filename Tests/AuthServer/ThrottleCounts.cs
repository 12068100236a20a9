using System.Security.Cryptography;
using System.Text;
using AlyAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace AlyAspire.Tests.AuthServer;

/// <summary>The AuthServer's shared limit counters as Redis holds them.</summary>
internal static class ThrottleCounts
{
    /// <summary><c>aly:throttle:&lt;name&gt;:&lt;first 16 bytes of SHA-256(subject), hex&gt;</c>.</summary>
    public static RedisKey Key(string name, string subject) =>
        $"aly:throttle:{name}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)), 0, 16)}";

    /// <summary>
    /// Waits until the AuthServer counts in Redis (after a Redis outage it counts on its own for a few seconds, and a
    /// test that needs the shared counts must not start in that time): a probe's failed sign-in shows up there.
    /// </summary>
    public static async Task WaitUntilCountedInRedisAsync(PlatformFixture platform, IDatabase redis)
    {
        await Eventually.SucceedsAsync(async () =>
        {
            var probe = $"probe-{Guid.NewGuid():N}@shop.example";
            using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
            browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.18.99.{Random.Shared.Next(1, 250)}");
            await browser.SignInAsync(probe, "not-the-password");
            Assert.True(await redis.KeyExistsAsync(Key("sign-in-failures", probe.ToUpperInvariant())), "The AuthServer is not counting in Redis yet.");
        }, TimeSpan.FromSeconds(90));
    }
}
