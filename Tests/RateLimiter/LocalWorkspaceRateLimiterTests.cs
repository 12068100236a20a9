using AlyAspire.RateLimiter.Client;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>How an agent surface decides while the RateLimiter cannot: from the budgets' state as last reported.</summary>
public sealed class LocalWorkspaceRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions());

    private LocalWorkspaceRateLimiter NewLimiter(FallbackLimitOptions? defaults = null) =>
        new(_cache, Options.Create(new AgentRateLimitingOptions { Fallback = defaults ?? new FallbackLimitOptions() }), _clock);

    /// <summary>A reply as the RateLimiter sends it: per budget, its limits and how long until it is full again.</summary>
    private static CheckReply Reply(params (string Policy, long Quota, int WindowSeconds, long Burst, long Remaining)[] budgets)
    {
        var reply = new CheckReply { Allowed = true };
        foreach (var (policy, quota, window, burst, remaining) in budgets)
        {
            var intervalMs = window * 1000L / quota;
            reply.Quotas.Add(new QuotaStatus
            {
                Policy = policy, Quota = quota, WindowSeconds = window, Burst = burst, Remaining = remaining,
                ResetMilliseconds = (burst - remaining) * intervalMs,
            });
        }

        return reply;
    }

    [Fact]
    public void A_workspace_goes_on_from_what_it_had_left_and_a_spent_one_stays_refused()
    {
        var limiter = NewLimiter();
        // 5 per 50 s (one every 10 s), 2 left when the RateLimiter last answered.
        limiter.Remember("ws", "key", Reply((RateLimitPolicies.Workspace, 5, 50, 5, 2)));

        Assert.True(limiter.Check("ws", "key", 1).IsAllowed);
        var last = limiter.Check("ws", "key", 1);
        Assert.True(last.IsAllowed);
        Assert.Equal(RateLimitDecisionSource.LocalFallback, last.Source);
        Assert.Equal(0, Assert.Single(last.Quotas).Remaining);

        var refused = limiter.Check("ws", "key", 1);
        Assert.False(refused.IsAllowed);
        Assert.Equal(RateLimitLayer.Workspace, refused.RefusedBy);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(9.9), TimeSpan.FromSeconds(10));

        // Replenished at the workspace's own rate.
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limiter.Check("ws", "key", 1).IsAllowed);
        Assert.False(limiter.Check("ws", "key", 1).IsAllowed);

        // The RateLimiter's next answer is the state again, whatever was spent here meanwhile.
        limiter.Remember("ws", "key", Reply((RateLimitPolicies.Workspace, 5, 50, 5, 1)));
        Assert.True(limiter.Check("ws", "key", 1).IsAllowed);
        Assert.False(limiter.Check("ws", "key", 1).IsAllowed);
    }

    [Fact]
    public void A_credential_refusal_costs_the_workspace_nothing_and_a_plan_without_credential_budgets_drops_it()
    {
        var limiter = NewLimiter();
        limiter.Remember("ws", "key_1", Reply((RateLimitPolicies.Workspace, 10, 100, 10, 3), (RateLimitPolicies.Credential, 3, 30, 3, 0)));

        var refused = limiter.Check("ws", "key_1", 1);
        Assert.False(refused.IsAllowed);
        Assert.Equal(RateLimitLayer.Credential, refused.RefusedBy);
        Assert.Equal([3L, 0L], refused.Quotas.Select(q => q.Remaining));

        // The workspace's 3 go to another credential, which has its own full credential budget of 3.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.Check("ws", "key_2", 1).IsAllowed);
        }

        var workspaceSpent = limiter.Check("ws", "key_2", 1);
        Assert.Equal(RateLimitLayer.Workspace, workspaceSpent.RefusedBy);

        // key_1 is decided without a credential budget now: only the workspace's counts.
        limiter.Remember("ws", "key_1", Reply((RateLimitPolicies.Workspace, 10, 100, 10, 1)));
        var decision = limiter.Check("ws", "key_1", 1);
        Assert.True(decision.IsAllowed);
        Assert.Equal(RateLimitPolicies.Workspace, Assert.Single(decision.Quotas).Policy);
    }

    [Fact]
    public void A_workspace_never_reported_starts_full_with_the_configured_fallback_limits()
    {
        var limiter = NewLimiter(new FallbackLimitOptions { RequestsPerWindow = 60, Window = TimeSpan.FromMinutes(1), Burst = 4 });

        for (var i = 0; i < 4; i++)
        {
            Assert.True(limiter.Check("unknown", null, 1).IsAllowed);
        }

        var refused = limiter.Check("unknown", null, 1);
        Assert.Equal(RateLimitLayer.Workspace, refused.RefusedBy);
        Assert.Equal(60, Assert.Single(refused.Quotas).Quota);

        // A request costing more than the burst is never allowed, as by the RateLimiter.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(limiter.Check("unknown", null, 5).IsAllowed);
        Assert.True(limiter.Check("unknown", null, 4).IsAllowed);
    }
}
