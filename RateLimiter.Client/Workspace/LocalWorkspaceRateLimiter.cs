using System.Threading.RateLimiting;
using AlyAspire.Shared.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>
/// The fallback while the RateLimiter (or its Redis) is unreachable: one in-memory token bucket per workspace
/// in this instance, sized from the workspace's limits as last reported by the RateLimiter, or from
/// <c>RateLimits:Fallback</c> for a workspace not seen yet. Per instance, so with N instances a workspace may
/// get up to N times its budget during an outage: the price of staying available.
/// </summary>
public sealed class LocalWorkspaceRateLimiter : IDisposable
{
    private static readonly TimeSpan MinimumReplenishmentPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RememberFor = TimeSpan.FromHours(1);

    private readonly IMemoryCache _knownLimits;
    private readonly FallbackLimitOptions _defaults;
    private readonly PartitionedRateLimiter<string> _limiter;

    public LocalWorkspaceRateLimiter(IMemoryCache knownLimits, IOptions<AgentRateLimitingOptions> options)
    {
        _knownLimits = knownLimits;
        _defaults = options.Value.Fallback;
        _limiter = PartitionedRateLimiter.Create<string, string>(workspaceId =>
            RateLimitPartition.GetTokenBucketLimiter(workspaceId, id => BucketFor(LimitsOf(id))));
    }

    /// <summary>Remembers a workspace's limits from a RateLimiter reply, for use during an outage.</summary>
    public void Remember(string workspaceId, RateLimitQuota workspaceQuota, long burst)
    {
        var limits = new KnownLimits(workspaceQuota.Quota, workspaceQuota.WindowSeconds, burst);
        if (!_knownLimits.TryGetValue(CacheKey(workspaceId), out KnownLimits? known) || known != limits)
        {
            _knownLimits.Set(CacheKey(workspaceId), limits, new MemoryCacheEntryOptions { SlidingExpiration = RememberFor });
        }
    }

    public WorkspaceRateLimitDecision Check(string workspaceId, int cost)
    {
        var limits = LimitsOf(workspaceId);
        var permits = (int)Math.Min(cost, limits.Burst);
        using var lease = _limiter.AttemptAcquire(workspaceId, permits);
        var remaining = _limiter.GetStatistics(workspaceId)?.CurrentAvailablePermits ?? 0;
        var interval = TimeSpan.FromSeconds((double)limits.WindowSeconds / limits.Quota);
        var quota = new RateLimitQuota(RateLimitPolicies.Workspace, limits.Quota, limits.WindowSeconds, remaining, interval * Math.Max(0, limits.Burst - remaining));
        if (lease.IsAcquired)
        {
            return new WorkspaceRateLimitDecision(true, null, TimeSpan.Zero, [quota], RateLimitDecisionSource.LocalFallback);
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : interval * permits;
        return new WorkspaceRateLimitDecision(false, RateLimitLayer.Workspace, retryAfter, [quota], RateLimitDecisionSource.LocalFallback);
    }

    public void Dispose() => _limiter.Dispose();

    private KnownLimits LimitsOf(string workspaceId) =>
        _knownLimits.TryGetValue(CacheKey(workspaceId), out KnownLimits? known) && known is not null
            ? known
            : new KnownLimits(_defaults.RequestsPerWindow, (int)_defaults.Window.TotalSeconds, _defaults.Burst);

    private static TokenBucketRateLimiterOptions BucketFor(KnownLimits limits)
    {
        // Refill one request's worth per emission interval, but no more often than every 100 ms.
        var window = TimeSpan.FromSeconds(limits.WindowSeconds);
        var period = TimeSpan.FromTicks(Math.Max(window.Ticks / limits.Quota, MinimumReplenishmentPeriod.Ticks));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Min(int.MaxValue, limits.Burst),
            TokensPerPeriod = (int)Math.Max(1, Math.Round(limits.Quota * period.Ticks / (double)window.Ticks)),
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static string CacheKey(string workspaceId) => "aly-rl-known:" + workspaceId;

    private sealed record KnownLimits(long Quota, int WindowSeconds, long Burst);
}
