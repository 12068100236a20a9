namespace AlyAspire.RateLimiter.Apis;

/// <summary>A budget on the wire: <c>RequestsPerWindow</c> per <c>WindowSeconds</c>, up to <c>Burst</c> at once.</summary>
public sealed record LimitDto(int RequestsPerWindow, int WindowSeconds, int Burst);

/// <summary>A workspace's override: any of a plan, its own workspace budget, its own per-credential budget.</summary>
public sealed record WorkspaceLimitOverrideRequest(string? Plan, LimitDto? Workspace, LimitDto? PerCredential);

/// <summary>The limits in force for a workspace and the override (if any) they come from.</summary>
public sealed record WorkspaceLimitsResponse(
    string WorkspaceId,
    string Plan,
    LimitDto Workspace,
    LimitDto? PerCredential,
    WorkspaceLimitOverrideRequest? Override);

/// <summary>One budget's current consumption.</summary>
public sealed record BucketUsage(string Policy, LimitDto Limit, long Used, long Remaining, double SecondsUntilFull);

/// <summary>The dashboard's read-out of a workspace's (and optionally one credential's) consumption.</summary>
public sealed record WorkspaceUsageResponse(string WorkspaceId, string Plan, BucketUsage Workspace, BucketUsage? Credential);
