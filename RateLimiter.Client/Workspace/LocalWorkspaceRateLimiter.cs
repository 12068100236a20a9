using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>
/// The fallback while the RateLimiter (or its Redis) is unreachable: the RateLimiter's own arithmetic (GCRA) in this
/// instance's memory, one budget per workspace and, when the workspace's plan has a per-credential budget, one per
/// credential. Each budget goes on from its state as the RateLimiter last reported it here, so a workspace that had
/// spent its budget stays refused during an outage, and a blip of a second hands out no fresh burst. A workspace not
/// seen yet starts full, with the limits of <c>RateLimits:Fallback</c>. Per instance: with N instances, a workspace
/// may get up to N times what it had left while the outage lasts, the price of staying available.
/// </summary>
/// <remarks>
/// Not <c>System.Threading.RateLimiting</c>'s token bucket: a bucket starts full and cannot be set to a reported
/// state (a fresh bucket per instance was a full extra burst on every instance at every blip). As in the RateLimiter's
/// script, both budgets of a request are decided in one step and written only if both allow.
/// </remarks>
public sealed class LocalWorkspaceRateLimiter(IMemoryCache cache, IOptions<AgentRateLimitingOptions> options, TimeProvider time)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromHours(1);

    /// <summary>Beyond this many credentials of one workspace, the full budgets (which hold nothing) are dropped.</summary>
    private const int CredentialsKeptBeforePruning = 256;

    private readonly Limits _defaults = new(
        options.Value.Fallback.RequestsPerWindow, (int)options.Value.Fallback.Window.TotalSeconds, options.Value.Fallback.Burst);

    /// <summary>Takes the state of the workspace's budgets from a RateLimiter reply, for use during an outage.</summary>
    public void Remember(string workspaceId, string credentialId, CheckReply reply)
    {
        var now = NowMicroseconds();
        var budgets = BudgetsOf(workspaceId);
        lock (budgets)
        {
            var credentialSeen = false;
            foreach (var quota in reply.Quotas)
            {
                var limits = new Limits(quota.Quota, quota.WindowSeconds, quota.Burst);
                var tat = now + quota.ResetMilliseconds * 1_000;
                if (quota.Policy == RateLimitPolicies.Credential)
                {
                    credentialSeen = true;
                    budgets.CredentialLimits = limits;
                    budgets.SetCredential(credentialId, tat, now);
                }
                else
                {
                    budgets.WorkspaceLimits = limits;
                    budgets.WorkspaceTat = tat;
                }
            }

            // A credential decided without a credential budget: the plan has none (any more).
            if (!credentialSeen && credentialId.Length > 0)
            {
                budgets.CredentialLimits = null;
            }
        }
    }

    public WorkspaceRateLimitDecision Check(string workspaceId, string? credentialId, int cost)
    {
        var now = NowMicroseconds();
        var budgets = BudgetsOf(workspaceId);
        lock (budgets)
        {
            var workspace = Evaluate(budgets.WorkspaceLimits ?? _defaults, budgets.WorkspaceTat, now, cost);
            Evaluation? credential = null;
            if (!string.IsNullOrEmpty(credentialId) && budgets.CredentialLimits is { } credentialLimits)
            {
                credential = Evaluate(credentialLimits, budgets.CredentialTat(credentialId), now, cost);
            }

            var allowed = workspace.Allowed && credential is null or { Allowed: true };
            if (allowed)
            {
                budgets.WorkspaceTat = workspace.NewTat;
                if (credential is { } spent)
                {
                    budgets.SetCredential(credentialId!, spent.NewTat, now);
                }
            }

            // A refused request leaves both budgets as they were, and says so.
            RateLimitQuota[] quotas = credential is { } c
                ? [workspace.Quota(RateLimitPolicies.Workspace, now, allowed), c.Quota(RateLimitPolicies.Credential, now, allowed)]
                : [workspace.Quota(RateLimitPolicies.Workspace, now, allowed)];
            if (allowed)
            {
                return new WorkspaceRateLimitDecision(true, null, TimeSpan.Zero, quotas, RateLimitDecisionSource.LocalFallback);
            }

            // The budget that needs longer to allow the request refuses it, as in the RateLimiter.
            var refusedByCredential = credential is { Allowed: false } && (workspace.Allowed || credential.Excess > workspace.Excess);
            var refusal = refusedByCredential ? credential! : workspace;
            return new WorkspaceRateLimitDecision(
                false,
                refusedByCredential ? RateLimitLayer.Credential : RateLimitLayer.Workspace,
                TimeSpan.FromMicroseconds(Math.Ceiling(refusal.Excess)),
                quotas,
                RateLimitDecisionSource.LocalFallback);
        }
    }

    /// <summary>One budget's answer to a request: its state now (<see cref="Evaluation.Tat"/>) and after it (<see cref="Evaluation.NewTat"/>).</summary>
    private static Evaluation Evaluate(Limits limits, long storedTat, long now, int cost)
    {
        var interval = limits.IntervalMicroseconds;
        var tat = Math.Max(storedTat, now);
        var newTat = (long)Math.Ceiling(tat + interval * cost);
        var excess = newTat - now - interval * limits.Burst;
        return new Evaluation(limits, excess <= 0, tat, newTat, Math.Max(0, excess));
    }

    private sealed record Evaluation(Limits Limits, bool Allowed, long Tat, long NewTat, double Excess)
    {
        public RateLimitQuota Quota(string policy, long now, bool spent)
        {
            var interval = Limits.IntervalMicroseconds;
            var held = (spent ? NewTat : Tat) - now;
            var remaining = (long)Math.Max(0, Math.Floor((interval * Limits.Burst - held) / interval));
            return new RateLimitQuota(policy, Limits.Quota, Limits.WindowSeconds, remaining, TimeSpan.FromMicroseconds(Math.Max(0, held)));
        }
    }

    private sealed record Limits(long Quota, int WindowSeconds, long Burst)
    {
        public double IntervalMicroseconds { get; } = WindowSeconds * 1_000_000.0 / Quota;
    }

    /// <summary>A workspace's budgets; a budget's state is its theoretical arrival time (µs on this instance's clock).</summary>
    private sealed class WorkspaceBudgets
    {
        private readonly Dictionary<string, long> _credentialTats = new(StringComparer.Ordinal);

        public Limits? WorkspaceLimits { get; set; }

        public long WorkspaceTat { get; set; }

        public Limits? CredentialLimits { get; set; }

        public long CredentialTat(string credentialId) => _credentialTats.GetValueOrDefault(credentialId);

        public void SetCredential(string credentialId, long tat, long now)
        {
            if (_credentialTats.Count >= CredentialsKeptBeforePruning && !_credentialTats.ContainsKey(credentialId))
            {
                foreach (var (id, held) in _credentialTats)
                {
                    if (held <= now)
                    {
                        _credentialTats.Remove(id);
                    }
                }
            }

            _credentialTats[credentialId] = tat;
        }
    }

    private WorkspaceBudgets BudgetsOf(string workspaceId) =>
        cache.GetOrCreate("aly-rl-fallback:" + workspaceId, static entry =>
        {
            entry.SlidingExpiration = RememberFor;
            return new WorkspaceBudgets();
        })!;

    private long NowMicroseconds() => (long)(time.GetTimestamp() * (1_000_000.0 / time.TimestampFrequency));
}
