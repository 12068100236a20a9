using System.Threading.RateLimiting;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.PreAuth;

/// <summary>Lets the bearer gate make a failed verification cost its sender more than a successful one.</summary>
public interface IPreAuthPenalty
{
    /// <summary>
    /// Takes <c>RateLimits:PreAuth:FailedVerificationCost</c> extra tokens (or what is left) from the
    /// request's client-address bucket.
    /// </summary>
    void ChargeFailedVerification(HttpContext context);
}

/// <summary>
/// The pre-auth layer: a token bucket per client address (after trusted forwarded headers; IPv6 by /64,
/// <see cref="ClientNetwork"/>), in memory, run by
/// ASP.NET Core's rate limiting middleware before authentication so a flood of made-up credentials never
/// reaches a verifier. Wraps the partitioned limiter to count what it allows (refusals are counted where the
/// middleware answers them).
/// </summary>
public sealed class PreAuthRateLimiter : PartitionedRateLimiter<HttpContext>, IPreAuthPenalty
{
    private readonly PartitionedRateLimiter<HttpContext> _inner;
    private readonly AgentRateLimitingMetrics _metrics;
    private readonly PreAuthLimitOptions _options;

    public PreAuthRateLimiter(IOptions<AgentRateLimitingOptions> options, AgentRateLimitingMetrics metrics)
    {
        _options = options.Value.PreAuth;
        _metrics = metrics;
        var exempt = _options.ExemptPaths;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = _options.TokenLimit,
            TokensPerPeriod = _options.TokensPerPeriod,
            ReplenishmentPeriod = _options.ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _inner = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            exempt.Any(path => context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase))
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => bucket));
    }

    /// <summary>The policy this layer reports in its 429: <c>TokensPerPeriod</c> per replenishment period.</summary>
    public RateLimitQuota RefusedQuota(TimeSpan retryAfter) => new(
        RateLimitPolicies.PreAuth,
        _options.TokensPerPeriod,
        Math.Max(1, (int)Math.Ceiling(_options.ReplenishmentPeriod.TotalSeconds)),
        0,
        retryAfter);

    public void ChargeFailedVerification(HttpContext context)
    {
        var available = _inner.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
        var penalty = (int)Math.Min(_options.FailedVerificationCost, available);
        if (penalty > 0)
        {
            // Token bucket permits are not returned on dispose: the tokens are spent.
            _inner.AttemptAcquire(context, penalty).Dispose();
        }
    }

    /// <summary>Counts a refusal; called once per refused request (the middleware may try twice before refusing).</summary>
    public void CountRefusal() => _metrics.PreAuth(allowed: false);

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => _inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var lease = _inner.AttemptAcquire(resource, permitCount);
        CountIfAcquired(lease);
        return lease;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        var lease = await _inner.AcquireAsync(resource, permitCount, cancellationToken);
        CountIfAcquired(lease);
        return lease;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _inner.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private void CountIfAcquired(RateLimitLease lease)
    {
        if (lease.IsAcquired)
        {
            _metrics.PreAuth(allowed: true);
        }
    }

    private static string ClientAddress(HttpContext context) => ClientNetwork.Of(context.Connection.RemoteIpAddress);
}
