using System.Diagnostics.Metrics;
using System.Net;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.RateLimiting;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>The per-IP layer in front of bearer verification.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PreAuthLimitTests(PlatformFixture platform)
{
    // 20 tokens, no refill within a test; a failed verification takes 4 more (5 in all).
    private static readonly Dictionary<string, string?> SmallBucket = new()
    {
        ["RateLimits:PreAuth:TokenLimit"] = "20",
        ["RateLimits:PreAuth:TokensPerPeriod"] = "20",
        ["RateLimits:PreAuth:ReplenishmentPeriod"] = "01:00:00",
        ["RateLimits:PreAuth:FailedVerificationCost"] = "4",
    };

    [Fact]
    public async Task A_flood_of_invalid_credentials_is_refused_before_verification_and_guessing_costs_more_than_valid_use()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(1000, 60, 1000));
        await using var host = await AgentSurfaceHost.StartAsync(platform, SmallBucket);
        using var refusals = new RefusalCounter(host.Services.GetRequiredService<IMeterFactory>());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await host.GetAsync($"aly_made_up_{i}", forwardedFor: "198.51.100.7");
            statuses.Add(response.StatusCode);
        }

        var verified = statuses.Count(s => s == HttpStatusCode.Unauthorized);
        var refused = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        Assert.Equal(100, verified + refused);
        // Each guess costs 5 of the 20 tokens: 4 guesses reach the verifier, the other 96 never do.
        Assert.Equal(4, verified);
        Assert.Equal(verified, host.Verifications.Count);
        Assert.Equal(refused, refusals.PreAuth);

        // The same budget spent on valid requests buys 20 of them: guessing is throttled hardest.
        var valid = 0;
        while ((await host.GetAsync(AgentSurfaceHost.Bearer(workspaceId, "key_1"), forwardedFor: "198.51.100.8")).StatusCode == HttpStatusCode.OK)
        {
            valid++;
        }

        Assert.Equal(20, valid);
    }

    [Fact]
    public async Task A_pre_auth_refusal_has_the_same_shape_and_names_its_layer()
    {
        await using var host = await AgentSurfaceHost.StartAsync(platform, SmallBucket);
        HttpResponseMessage response;
        do
        {
            response = await host.GetAsync("aly_made_up", forwardedFor: "198.51.100.9");
        }
        while (response.StatusCode == HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("\"pre-auth\";q=20;w=3600", string.Join(", ", response.Headers.GetValues("RateLimit-Policy")));
        Assert.StartsWith("\"pre-auth\";r=0;t=", string.Join(", ", response.Headers.GetValues("RateLimit")));
        var problem = await WorkspaceLimitTests.ReadProblemAsync(response);
        Assert.Equal(ProblemTypes.RateLimited, problem.GetProperty("type").GetString());
        Assert.Equal("pre-auth", problem.GetProperty("layer").GetString());
    }

    [Fact]
    public async Task Forwarded_for_counts_only_from_a_trusted_proxy()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(1000, 60, 1000));
        var bearer = AgentSurfaceHost.Bearer(workspaceId, "key_1");

        // Trusted (127.0.0.1 is this test's address): every forwarded address has its own bucket.
        await using (var trusting = await AgentSurfaceHost.StartAsync(platform, SmallBucket))
        {
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await trusting.GetAsync(bearer, forwardedFor: $"203.0.113.{i}")).StatusCode);
            }
        }

        // Not trusted: the header is ignored, so rotating it does not escape the connection's own bucket.
        var untrusted = new Dictionary<string, string?>(SmallBucket) { ["ForwardedHeaders:TrustedProxies:0"] = "192.0.2.1" };
        await using var sceptical = await AgentSurfaceHost.StartAsync(platform, untrusted);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            statuses.Add((await sceptical.GetAsync(bearer, forwardedFor: $"203.0.113.{i}")).StatusCode);
        }

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Every_address_of_one_ipv6_64_shares_one_bucket()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(1000, 60, 1000));
        var bearer = AgentSurfaceHost.Bearer(workspaceId, "key_1");
        await using var host = await AgentSurfaceHost.StartAsync(platform, SmallBucket);

        // 40 addresses of 2001:db8:40:1::/64: rotating through them does not escape the network's 20 tokens.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            statuses.Add((await host.GetAsync(bearer, forwardedFor: $"2001:db8:40:1:{i:x}:{i * 7:x}::{i + 1:x}")).StatusCode);
        }

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // The neighbouring /64 has its own bucket; an IPv4-mapped address counts as its IPv4 address.
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(bearer, forwardedFor: "2001:db8:40:2::1")).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(bearer, forwardedFor: "198.51.100.40")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.GetAsync(bearer, forwardedFor: "::ffff:198.51.100.40")).StatusCode);
    }

    /// <summary>Listens to one host's <c>aly.rate_limit.refused</c> counter (meter AlyAspire.RateLimiting).</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _preAuth;

        public RefusalCounter(IMeterFactory hostMeters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RateLimitTelemetry.MeterName && instrument.Meter.Scope == hostMeters && instrument.Name == RateLimitTelemetry.Refused)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: RateLimitTelemetry.LayerTag, Value: RateLimitPolicies.PreAuth })
                    {
                        Interlocked.Add(ref _preAuth, value);
                    }
                }
            });
            _listener.Start();
        }

        public long PreAuth => Interlocked.Read(ref _preAuth);

        public void Dispose() => _listener.Dispose();
    }
}
