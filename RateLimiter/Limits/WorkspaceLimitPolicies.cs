using System.Collections.Concurrent;
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
/// <remarks>
/// An entry older than <see cref="RateLimitOptions.PolicyCacheDuration"/> is still answered while one read in the
/// background renews it: a decision never waits for limitsdb for a workspace it already knows. While limitsdb stalled,
/// every decision of a workspace whose entry had just expired waited for the 1.5 s PostgreSQL deadline, past the
/// callers' 1 s decision deadline, and the agent's own request waited for both. Only a workspace not seen yet (or
/// just edited) is read on the decision's path.
/// </remarks>
public sealed partial class WorkspaceLimitPolicies(
    IServiceScopeFactory scopeFactory,
    IMemoryCache cache,
    IOptionsMonitor<RateLimitOptions> options,
    TimeProvider time,
    ILogger<WorkspaceLimitPolicies> logger)
{
    /// <summary>How long a known workspace's limits are kept at all, renewed or not.</summary>
    private static readonly TimeSpan KeptFor = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, byte> _renewing = new();

    private sealed record Entry(WorkspaceLimits Limits, DateTimeOffset FreshUntil);

    public async ValueTask<WorkspaceLimits> GetAsync(string workspaceId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(workspaceId), out Entry? cached) && cached is not null)
        {
            if (cached.FreshUntil <= time.GetUtcNow())
            {
                RenewInBackground(workspaceId);
            }

            return cached.Limits;
        }

        return await LoadAsync(workspaceId, cancellationToken);
    }

    private async Task<WorkspaceLimits> LoadAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LimitsDbContext>();
        var limitOverride = await db.WorkspaceLimitOverrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId, cancellationToken);
        var limits = Resolve(workspaceId, limitOverride);
        var duration = options.CurrentValue.PolicyCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            cache.Set(CacheKey(workspaceId), new Entry(limits, time.GetUtcNow() + duration), KeptFor);
        }

        return limits;
    }

    /// <summary>One renewal per workspace at a time, off the decision's path (and outside the request's context).</summary>
    private void RenewInBackground(string workspaceId)
    {
        if (!_renewing.TryAdd(workspaceId, 0))
        {
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RenewAsync(workspaceId));
        }
    }

    private async Task RenewAsync(string workspaceId)
    {
        try
        {
            await LoadAsync(workspaceId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The known limits stay in force; the next decision after this one tries again.
            LogRenewalFailed(logger, workspaceId, ex.GetType().Name);
        }
        finally
        {
            _renewing.TryRemove(workspaceId, out _);
        }
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

    [LoggerMessage(LogLevel.Warning, "The limits of workspace {WorkspaceId} could not be renewed ({Failure}); the known ones stay in force")]
    private static partial void LogRenewalFailed(ILogger logger, string workspaceId, string failure);
}
