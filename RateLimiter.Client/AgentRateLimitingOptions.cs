namespace AlyAspire.RateLimiter.Client;

/// <summary>What the agent surfaces do when no decision can be had from the RateLimiter (or its Redis).</summary>
public enum RateLimitFailureMode
{
    /// <summary>Decide with a per-instance in-memory limiter, using the workspace's last known limits.</summary>
    FallbackToLocal,
    /// <summary>Allow every request.</summary>
    Open,
    /// <summary>Refuse every request with 503 and <c>Retry-After</c>.</summary>
    Closed,
}

/// <summary>The agent surfaces' side of rate limiting (section <c>RateLimits</c>).</summary>
public sealed class AgentRateLimitingOptions
{
    public const string SectionName = "RateLimits";

    public RateLimitFailureMode FailureMode { get; set; } = RateLimitFailureMode.FallbackToLocal;

    /// <summary>The longest a request waits for a decision before the failure mode applies.</summary>
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a failed decision, how long the failure mode is used before the RateLimiter is asked again.</summary>
    public TimeSpan RemoteRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    public PreAuthLimitOptions PreAuth { get; set; } = new();

    public FallbackLimitOptions Fallback { get; set; } = new();

    public DecisionLeaseOptions Leases { get; set; } = new();
}

/// <summary>
/// Leases: units the RateLimiter consumes ahead for a busy credential, spent by its next requests here without a
/// round trip (section <c>RateLimits:Leases</c>; see <see cref="Workspace.DecisionLeases"/>).
/// </summary>
public sealed class DecisionLeaseOptions
{
    /// <summary>Off: every request is decided by the RateLimiter.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A lease covers about this long of the credential's recent request rate here.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The most units one decision asks for.</summary>
    public int MaxUnits { get; set; } = 100;

    /// <summary>Units not spent within this long are dropped.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The per-IP token bucket in front of bearer verification (section <c>RateLimits:PreAuth</c>).</summary>
public sealed class PreAuthLimitOptions
{
    /// <summary>Bucket size: requests one address may send back-to-back.</summary>
    public int TokenLimit { get; set; } = 100;

    public int TokensPerPeriod { get; set; } = 50;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Extra tokens a failed verification takes, so guessing credentials is throttled hardest.</summary>
    public int FailedVerificationCost { get; set; } = 10;

    /// <summary>Paths never throttled here: the orchestrator's health probes.</summary>
    public string[] ExemptPaths { get; set; } = ["/health", "/alive"];
}

/// <summary>
/// The local limit for a workspace whose limits this instance has not yet learned from the RateLimiter
/// (section <c>RateLimits:Fallback</c>). Once learned, a workspace's own limits are used locally too.
/// </summary>
public sealed class FallbackLimitOptions
{
    public int RequestsPerWindow { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public int Burst { get; set; } = 100;
}
