namespace AlyAspire.RateLimiter.Infrastructure;

/// <summary>
/// A workspace's deviation from the configured defaults: another plan, its own workspace budget, its own
/// per-credential budget, or any of these. Absent parts fall back to the plan's.
/// </summary>
public sealed class WorkspaceLimitOverride
{
    public required string WorkspaceId { get; set; }

    public string? Plan { get; set; }

    public int? RequestsPerWindow { get; set; }

    public int? WindowSeconds { get; set; }

    public int? Burst { get; set; }

    public int? CredentialRequestsPerWindow { get; set; }

    public int? CredentialWindowSeconds { get; set; }

    public int? CredentialBurst { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
