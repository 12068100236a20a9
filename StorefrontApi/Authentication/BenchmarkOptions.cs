namespace AlyAspire.StorefrontApi.Authentication;

/// <summary>
/// Benchmark-only switches (<c>Benchmark:DisableAgentGate</c>): the gate admits every request as the demo workspace
/// with every scope and the rate limits are not applied, so a benchmark can measure what the gate costs.
/// Start-up fails if it is set outside Development.
/// </summary>
public sealed class BenchmarkOptions
{
    public const string Section = "Benchmark";

    public bool DisableAgentGate { get; set; }
}
