using AlyAspire.RateLimiter.Client;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>How an agent surface sizes, spends and drops the units the RateLimiter leased to a credential.</summary>
public sealed class DecisionLeasesTests
{
    private static readonly RateLimitQuota[] Reported = [new(RateLimitPolicies.Workspace, 1_000_000, 60, 900_000, TimeSpan.FromSeconds(5))];

    [Fact]
    public void A_lease_is_sized_by_recent_demand_spent_by_its_credential_only_and_dropped_when_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var leases = new DecisionLeases(Options.Create(new AgentRateLimitingOptions()), clock);

        // A credential's first request has no history: it asks for nothing beyond itself.
        Assert.False(leases.TrySpend("ws", "key", 1, out _, out var wanted));
        Assert.Equal(0, wanted);

        // One request per 10 ms is 10 per 100 ms horizon.
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.False(leases.TrySpend("ws", "key", 1, out _, out wanted));
        Assert.Equal(10, wanted);
        leases.Hold("ws", "key", 10, Reported);

        // Another credential of the workspace cannot spend it.
        Assert.False(leases.TrySpend("ws", "other", 1, out _, out _));

        for (var held = 9; held >= 0; held--)
        {
            Assert.True(leases.TrySpend("ws", "key", 1, out var quotas, out _));
            Assert.Equal(900_000 + held, Assert.Single(quotas).Remaining);
        }

        // Spent in an instant: the next ask is capped at MaxUnits.
        Assert.False(leases.TrySpend("ws", "key", 1, out _, out wanted));
        Assert.Equal(100, wanted);
        leases.Hold("ws", "key", 100, Reported);

        // Unspent units do not outlive the lease's lifetime; a request costing more than is held goes to the RateLimiter.
        Assert.False(leases.TrySpend("ws", "key", 101, out _, out _));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(leases.TrySpend("ws", "key", 1, out _, out _));
    }

    [Fact]
    public void A_lease_asks_to_be_refilled_once_half_of_it_is_spent_and_never_twice_at_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var leases = new DecisionLeases(Options.Create(new AgentRateLimitingOptions()), clock);

        Assert.False(leases.TrySpend("ws", "key", 1, out _, out _)); // nothing held, nothing to refill
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.False(leases.TrySpend("ws", "key", 1, out _, out var wanted));
        leases.Hold("ws", "key", wanted, Reported); // 10 units

        // Four spent: more than half still held, no refill due.
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            Assert.True(leases.TrySpend("ws", "key", 1, out _, out var refill));
            Assert.Equal(0, refill);
        }

        // The fifth leaves half: one refill, sized by the demand since the last decision (6 requests in 50 ms), and
        // only one until it ends.
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(leases.TrySpend("ws", "key", 1, out _, out var first));
        Assert.Equal(12, first);
        Assert.True(leases.TrySpend("ws", "key", 1, out _, out var during));
        Assert.Equal(0, during);

        // Held: the refill's units add to the 4 left, and the next refill waits until half of the grant's worth is left.
        leases.Hold("ws", "key", first, Reported);
        for (var i = 0; i < 9; i++)
        {
            Assert.True(leases.TrySpend("ws", "key", 1, out _, out var refill));
            Assert.Equal(0, refill); // down to 7 held of a 12-unit grant
        }

        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(leases.TrySpend("ws", "key", 1, out _, out var second));
        Assert.NotEqual(0, second); // 6 held

        // A refused refill: no other until the lease is spent and its next request asks the RateLimiter itself.
        leases.RefillFailed("ws", "key");
        for (var i = 0; i < 6; i++)
        {
            Assert.True(leases.TrySpend("ws", "key", 1, out _, out var refill));
            Assert.Equal(0, refill);
        }

        Assert.False(leases.TrySpend("ws", "key", 1, out _, out _));
    }
}
