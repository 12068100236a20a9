namespace AlyAspire.Shared.RateLimiting;

/// <summary>
/// The names of the limit layers, as they appear on the wire: the items of the <c>RateLimit-Policy</c> and
/// <c>RateLimit</c> headers, the <c>layer</c> of a 429 problem, the RateLimiter's <c>refused_by</c> and quota
/// policies, and the <c>layer</c> tag of the rate-limit instruments. Dashboards and callers read them: never rename.
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>The per-client-address layer each agent surface runs before authentication.</summary>
    public const string PreAuth = "pre-auth";

    /// <summary>A workspace's budget, shared by all its credentials (decided by the RateLimiter).</summary>
    public const string Workspace = "workspace";

    /// <summary>One credential's budget within its workspace, when the workspace's plan has one.</summary>
    public const string Credential = "credential";
}

/// <summary>
/// The meter, instruments and tags of rate limiting, written by both the RateLimiter and the agent surfaces
/// (RateLimiter.Client) so one dashboard query covers both sides.
/// </summary>
public static class RateLimitTelemetry
{
    public const string MeterName = "AlyAspire.RateLimiting";

    // Instruments of both sides.
    public const string Allowed = "aly.rate_limit.allowed";
    public const string Refused = "aly.rate_limit.refused";

    // The RateLimiter's own instruments.
    public const string DecisionFailures = "aly.rate_limit.decision.failures";
    public const string DecisionDuration = "aly.rate_limit.decision.duration";
    public const string Leased = "aly.rate_limit.leased";

    // The agent surfaces' own instruments.
    public const string DegradedDecisions = "aly.rate_limit.degraded_decisions";
    public const string ClientDuration = "aly.rate_limit.client.duration";

    /// <summary>Tag: the layer (a <see cref="RateLimitPolicies"/> name) that allowed or refused.</summary>
    public const string LayerTag = "layer";

    /// <summary>Tag: where an agent surface's decision came from (<see cref="LocalSource"/>, <see cref="LeaseSource"/>, or a failure mode).</summary>
    public const string SourceTag = "source";

    /// <summary>Tag: how a timed decision ended.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Tag: why the RateLimiter could not decide.</summary>
    public const string ReasonTag = "reason";

    /// <summary>Decided in this process's memory (the pre-auth layer, or the local fallback).</summary>
    public const string LocalSource = "local";

    /// <summary>Served from units the RateLimiter leased ahead.</summary>
    public const string LeaseSource = "lease";
}
