namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>Which limit refused a request (the problem body's <c>layer</c>).</summary>
public enum RateLimitLayer
{
    /// <summary>The per-IP bucket before authentication.</summary>
    PreAuth,
    /// <summary>The workspace's shared budget.</summary>
    Workspace,
    /// <summary>One credential's own, tighter budget.</summary>
    Credential,
}

/// <summary>Where a decision came from.</summary>
public enum RateLimitDecisionSource
{
    RateLimiter,
    /// <summary>Spent from units the RateLimiter consumed ahead for this credential (a lease).</summary>
    Lease,
    LocalFallback,
    FailedOpen,
    FailedClosed,
}

/// <summary>One budget's state, as the <c>RateLimit-Policy</c> and <c>RateLimit</c> headers report it.</summary>
public sealed record RateLimitQuota(string Policy, long Quota, int WindowSeconds, long Remaining, TimeSpan Reset);

/// <summary>The outcome of a workspace limit check.</summary>
public sealed record WorkspaceRateLimitDecision(
    bool IsAllowed,
    RateLimitLayer? RefusedBy,
    TimeSpan RetryAfter,
    IReadOnlyList<RateLimitQuota> Quotas,
    RateLimitDecisionSource Source);

/// <summary>Checks (and on success consumes) a request's cost against its workspace's and credential's budgets.</summary>
public interface IWorkspaceRateLimiter
{
    ValueTask<WorkspaceRateLimitDecision> CheckAsync(string workspaceId, string? credentialId, int cost = 1, CancellationToken cancellationToken = default);
}
