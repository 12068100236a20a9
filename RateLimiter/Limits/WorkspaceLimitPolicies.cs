using AlyAspire.RateLimiter.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Limits;

/// <summary>
/// Resolves the limits in force for a workspace: its override from limitsdb over its plan's defaults from
/// configuration. Cached in memory because it is read on every decision; an edit through the admin API drops
/// the entry here and, through <see cref="LimitPolicyChangeSignals"/>, on every other RateLimiter instance.
/// </summary>
public sealed class WorkspaceLimitPolicies(
    IServiceScopeFactory scopeFactory,
    IMemoryCache cache,
    IOptionsMonitor<RateLimitOptions> options)
{
    public async ValueTask<WorkspaceLimits> GetAsync(string workspaceId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(workspaceId), out WorkspaceLimits? cached) && cached is not null)
        {
            return cached;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LimitsDbContext>();
        var limitOverride = await db.WorkspaceLimitOverrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId, cancellationToken);
        var limits = Resolve(workspaceId, limitOverride);
        var duration = options.CurrentValue.PolicyCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            cache.Set(CacheKey(workspaceId), limits, duration);
        }

        return limits;
    }

    /// <summary>The limits an override (or none) gives a workspace; an unknown plan falls back to the default plan.</summary>
    public WorkspaceLimits Resolve(string workspaceId, WorkspaceLimitOverride? limitOverride)
    {
        var current = options.CurrentValue;
        var planName = limitOverride?.Plan is { } named && current.Plans.ContainsKey(named) ? named : current.DefaultPlan;
        var plan = current.Plans[planName];

        var workspace = limitOverride?.WorkspaceLimit() ?? plan.ToLimit();
        var perCredential = limitOverride?.CredentialLimit() ?? plan.PerCredential?.ToLimit();
        return new WorkspaceLimits(workspaceId, planName, workspace, perCredential);
    }

    public bool IsKnownPlan(string plan) => options.CurrentValue.Plans.ContainsKey(plan);

    public void Forget(string workspaceId) => cache.Remove(CacheKey(workspaceId));

    private static string CacheKey(string workspaceId) => "workspace-limits:" + workspaceId;
}
