using AlyAspire.RateLimiter.Limits;

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

    // Methods, not properties, so EF Core does not try to map them.

    /// <summary>The workspace budget this override sets, or null when it leaves the plan's.</summary>
    public Limit? WorkspaceLimit() =>
        this is { RequestsPerWindow: { } rate, WindowSeconds: { } window, Burst: { } burst } ? new Limit(rate, window, burst) : null;

    /// <summary>The per-credential budget this override sets, or null when it leaves the plan's.</summary>
    public Limit? CredentialLimit() =>
        this is { CredentialRequestsPerWindow: { } rate, CredentialWindowSeconds: { } window, CredentialBurst: { } burst } ? new Limit(rate, window, burst) : null;
}
