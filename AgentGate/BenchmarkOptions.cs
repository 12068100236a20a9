using AlyAspire.Shared.Development;

namespace AlyAspire.AgentGate;

/// <summary>
/// Benchmark-only switches, so a benchmark can measure what the gate and the limits cost. Start-up fails if either
/// is set outside Development.
/// </summary>
public sealed class BenchmarkOptions
{
    public const string Section = "Benchmark";

    /// <summary><c>Benchmark:DisableAgentGate</c>: every request is the demo workspace with every scope, and no rate limit applies.</summary>
    public bool DisableAgentGate { get; set; }

    /// <summary><c>Benchmark:DisableRateLimits</c>: the gate verifies as usual, but neither rate-limit layer runs.</summary>
    public bool DisableRateLimits { get; set; }

    /// <summary><c>Benchmark:WorkspaceId</c>: the workspace a request is taken for while the gate is off.</summary>
    public Guid WorkspaceId { get; set; } = DemoWorkspace.Id;

    public bool LimitsOff => DisableAgentGate || DisableRateLimits;
}
