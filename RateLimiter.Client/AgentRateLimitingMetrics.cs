using System.Diagnostics.Metrics;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.RateLimiting;

namespace AlyAspire.RateLimiter.Client;

/// <summary>
/// The agent surfaces' rate-limit instruments on the meter <c>AlyAspire.RateLimiting</c>: the pre-auth layer's,
/// the local fallback's and the leases' decisions (the RateLimiter counts its own), decisions made without the
/// RateLimiter, and the round-trip time of a remote decision.
/// </summary>
public sealed class AgentRateLimitingMetrics
{
    private readonly Counter<long> _allowed;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _degraded;
    private readonly Histogram<double> _duration;

    public AgentRateLimitingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RateLimitTelemetry.MeterName);
        _allowed = meter.CreateCounter<long>(RateLimitTelemetry.Allowed, "{request}", "Requests a limit layer allowed.");
        _refused = meter.CreateCounter<long>(RateLimitTelemetry.Refused, "{request}", "Requests a limit layer refused.");
        _degraded = meter.CreateCounter<long>(RateLimitTelemetry.DegradedDecisions, "{decision}", "Workspace decisions made without the RateLimiter, by failure mode.");
        _duration = meter.CreateHistogram<double>(RateLimitTelemetry.ClientDuration, "s", "Round trip of one workspace decision to the RateLimiter.");
    }

    public void PreAuth(bool allowed) => (allowed ? _allowed : _refused).Add(1,
        new KeyValuePair<string, object?>(RateLimitTelemetry.LayerTag, RateLimitPolicies.PreAuth), new KeyValuePair<string, object?>(RateLimitTelemetry.SourceTag, RateLimitTelemetry.LocalSource));

    public void LeaseSpent() => _allowed.Add(1,
        new KeyValuePair<string, object?>(RateLimitTelemetry.LayerTag, RateLimitPolicies.Workspace), new KeyValuePair<string, object?>(RateLimitTelemetry.SourceTag, RateLimitTelemetry.LeaseSource));

    public void Degraded(WorkspaceRateLimitDecision decision)
    {
        _degraded.Add(1, new KeyValuePair<string, object?>(RateLimitTelemetry.SourceTag, decision.Source.ToString()));
        if (decision.Source == RateLimitDecisionSource.LocalFallback)
        {
            var layer = decision.RefusedBy == RateLimitLayer.Credential ? RateLimitPolicies.Credential : RateLimitPolicies.Workspace;
            (decision.IsAllowed ? _allowed : _refused).Add(1,
                new KeyValuePair<string, object?>(RateLimitTelemetry.LayerTag, layer), new KeyValuePair<string, object?>(RateLimitTelemetry.SourceTag, RateLimitTelemetry.LocalSource));
        }
    }

    public void RemoteDecision(TimeSpan elapsed, bool succeeded) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(RateLimitTelemetry.OutcomeTag, succeeded ? "decided" : "failed"));
}
