using AlyAspire.RateLimiter.Infrastructure;
using AlyAspire.Shared.Concurrency;
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

    /// <summary>The reads of limitsdb under way, one per workspace, shared by every decision that needs it.</summary>
    private readonly CallsUnderWay<WorkspaceLimits> _reads = new();

    /// <summary>Edits seen (<see cref="Forget"/>): a read that overlapped one may be older than the edit, and is not kept.</summary>
    private long _edits;

    private sealed record Entry(WorkspaceLimits Limits, DateTimeOffset FreshUntil);

    public async ValueTask<WorkspaceLimits> GetAsync(string workspaceId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(workspaceId), out Entry? cached) && cached is not null)
        {
            if (cached.FreshUntil <= time.GetUtcNow() && !_reads.IsUnderWay(workspaceId))
            {
                RenewInBackground(workspaceId);
            }

            return cached.Limits;
        }

        // A new workspace's first requests arrive together: fifty agents at once had been fifty reads, each taking a
        // connection of its own, and the CPU they took stalled the Redis decisions behind them past their deadline.
        return await ReadOnceAsync(workspaceId).WaitAsync(cancellationToken);
    }

    /// <summary>The workspace's read under way, or a new one.</summary>
    private Task<WorkspaceLimits> ReadOnceAsync(string workspaceId) => _reads.Join(workspaceId, () => ReadAsync(workspaceId), out _);

    private async Task<WorkspaceLimits> ReadAsync(string workspaceId)
    {
        var edits = Volatile.Read(ref _edits);
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LimitsDbContext>();
        // No caller's cancellation: the read is shared, and PostgreSQL's own deadline bounds it.
        var limitOverride = await db.WorkspaceLimitOverrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId, CancellationToken.None);
        var limits = Resolve(workspaceId, limitOverride);
        var duration = options.CurrentValue.PolicyCacheDuration;
        if (duration > TimeSpan.Zero && Volatile.Read(ref _edits) == edits)
        {
            cache.Set(CacheKey(workspaceId), new Entry(limits, time.GetUtcNow() + duration), KeptFor);
        }

        return limits;
    }

    /// <summary>A renewal off the decision's path (and outside the request's context); the known limits answer meanwhile.</summary>
    private void RenewInBackground(string workspaceId)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RenewAsync(workspaceId));
        }
    }

    private async Task RenewAsync(string workspaceId)
    {
        try
        {
            await ReadOnceAsync(workspaceId);
        }
        catch (Exception ex)
        {
            // The known limits stay in force; the next decision after this one tries again.
            LogRenewalFailed(logger, workspaceId, ex.GetType().Name);
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

    /// <summary>
    /// Drops what is known of a workspace's limits after an edit: the cached entry, and any read under way (it may have
    /// read the row before the edit), so the next decision reads the edited row.
    /// </summary>
    public void Forget(string workspaceId)
    {
        Interlocked.Increment(ref _edits);
        cache.Remove(CacheKey(workspaceId));
        _reads.Abandon(workspaceId);
    }

    private static string CacheKey(string workspaceId) => "workspace-limits:" + workspaceId;

    [LoggerMessage(LogLevel.Warning, "The limits of workspace {WorkspaceId} could not be renewed ({Failure}); the known ones stay in force")]
    private static partial void LogRenewalFailed(ILogger logger, string workspaceId, string failure);
}
