using System.Threading.RateLimiting;
using AlyAspire.Shared.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>
/// The fallback while the RateLimiter (or its Redis) is unreachable: in-memory token buckets in this instance, one per
/// workspace and, when the workspace's plan has a per-credential budget, one per credential, sized from the limits as
/// last reported by the RateLimiter (or from <c>RateLimits:Fallback</c> for a workspace not seen yet). Per instance,
/// so with N instances a workspace may get up to N times its budget during an outage: the price of staying available.
/// </summary>
/// <remarks>
/// The credential's bucket is asked first: its refusal costs the workspace nothing, as with the RateLimiter. The two
/// buckets are not one atomic step here, so when the workspace then refuses, the credential has spent one request.
/// </remarks>
public sealed class LocalWorkspaceRateLimiter : IDisposable
{
    private static readonly TimeSpan MinimumReplenishmentPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RememberFor = TimeSpan.FromHours(1);

    private readonly IMemoryCache _knownLimits;
    private readonly FallbackLimitOptions _defaults;
    private readonly PartitionedRateLimiter<string> _workspaces;
    private readonly PartitionedRateLimiter<(string WorkspaceId, string CredentialId)> _credentials;

    public LocalWorkspaceRateLimiter(IMemoryCache knownLimits, IOptions<AgentRateLimitingOptions> options)
    {
        _knownLimits = knownLimits;
        _defaults = options.Value.Fallback;
        _workspaces = PartitionedRateLimiter.Create<string, string>(workspaceId =>
            RateLimitPartition.GetTokenBucketLimiter(workspaceId, id => BucketFor(WorkspaceLimitsOf(id))));
        _credentials = PartitionedRateLimiter.Create<(string WorkspaceId, string CredentialId), (string, string)>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, k => BucketFor(Known(RateLimitPolicies.Credential, k.Item1)!)));
    }

    /// <summary>Remembers one of a workspace's budgets (by policy) from a RateLimiter reply, for use during an outage.</summary>
    public void Remember(string workspaceId, RateLimitQuota quota, long burst)
    {
        var limits = new KnownLimits(quota.Quota, quota.WindowSeconds, burst);
        var key = CacheKey(quota.Policy, workspaceId);
        if (!_knownLimits.TryGetValue(key, out KnownLimits? known) || known != limits)
        {
            _knownLimits.Set(key, limits, new MemoryCacheEntryOptions { SlidingExpiration = RememberFor });
        }
    }

    public WorkspaceRateLimitDecision Check(string workspaceId, string? credentialId, int cost)
    {
        var quotas = new List<RateLimitQuota>(2);
        if (!string.IsNullOrEmpty(credentialId) && Known(RateLimitPolicies.Credential, workspaceId) is { } credentialLimits)
        {
            var (acquired, quota, retryAfter) = Acquire(_credentials, (workspaceId, credentialId), credentialLimits, RateLimitPolicies.Credential, cost);
            if (!acquired)
            {
                return new WorkspaceRateLimitDecision(false, RateLimitLayer.Credential, retryAfter, [quota], RateLimitDecisionSource.LocalFallback);
            }

            quotas.Add(quota);
        }

        var workspace = Acquire(_workspaces, workspaceId, WorkspaceLimitsOf(workspaceId), RateLimitPolicies.Workspace, cost);
        quotas.Insert(0, workspace.Quota);
        return workspace.Acquired
            ? new WorkspaceRateLimitDecision(true, null, TimeSpan.Zero, quotas, RateLimitDecisionSource.LocalFallback)
            : new WorkspaceRateLimitDecision(false, RateLimitLayer.Workspace, workspace.RetryAfter, quotas, RateLimitDecisionSource.LocalFallback);
    }

    public void Dispose()
    {
        _workspaces.Dispose();
        _credentials.Dispose();
    }

    private static (bool Acquired, RateLimitQuota Quota, TimeSpan RetryAfter) Acquire<TKey>(
        PartitionedRateLimiter<TKey> limiter, TKey key, KnownLimits limits, string policy, int cost)
    {
        var permits = (int)Math.Min(cost, limits.Burst);
        using var lease = limiter.AttemptAcquire(key, permits);
        var remaining = limiter.GetStatistics(key)?.CurrentAvailablePermits ?? 0;
        var interval = TimeSpan.FromSeconds((double)limits.WindowSeconds / limits.Quota);
        var quota = new RateLimitQuota(policy, limits.Quota, limits.WindowSeconds, remaining, interval * Math.Max(0, limits.Burst - remaining));
        var retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : interval * permits;
        return (lease.IsAcquired, quota, retryAfter);
    }

    private KnownLimits WorkspaceLimitsOf(string workspaceId) =>
        Known(RateLimitPolicies.Workspace, workspaceId)
            ?? new KnownLimits(_defaults.RequestsPerWindow, (int)_defaults.Window.TotalSeconds, _defaults.Burst);

    private KnownLimits? Known(string policy, string workspaceId) =>
        _knownLimits.TryGetValue(CacheKey(policy, workspaceId), out KnownLimits? known) ? known : null;

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

    private static string CacheKey(string policy, string workspaceId) => $"aly-rl-known:{policy}:{workspaceId}";

    private sealed record KnownLimits(long Quota, int WindowSeconds, long Burst);
}
