using System.Diagnostics.Metrics;
using AlyAspire.Shared.RateLimiting;

namespace AlyAspire.RateLimiter.Decisions;

/// <summary>
/// The RateLimiter's instruments on the meter <c>AlyAspire.RateLimiting</c> (exported by the service defaults):
/// allowed and refused requests per layer, and how long a decision takes here (script round trip included).
/// </summary>
public sealed class RateLimitingMetrics
{
    private readonly Counter<long> _allowed;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _leased;
    private readonly Histogram<double> _duration;

    public RateLimitingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RateLimitTelemetry.MeterName);
        _allowed = meter.CreateCounter<long>(RateLimitTelemetry.Allowed, "{request}", "Requests a limit layer allowed.");
        _refused = meter.CreateCounter<long>(RateLimitTelemetry.Refused, "{request}", "Requests a limit layer refused.");
        _failed = meter.CreateCounter<long>(RateLimitTelemetry.DecisionFailures, "{decision}", "Decisions that could not be made (Redis or limitsdb unreachable).");
        _duration = meter.CreateHistogram<double>(RateLimitTelemetry.DecisionDuration, "s", "Time the RateLimiter takes to make one decision.");
        _leased = meter.CreateCounter<long>(RateLimitTelemetry.Leased, "{unit}", "Units consumed ahead as leases for callers' next requests.");
    }

    public void Record(Decision decision, TimeSpan elapsed)
    {
        if (decision.Allowed)
        {
            foreach (var bucket in decision.Buckets)
            {
                _allowed.Add(1, new KeyValuePair<string, object?>(RateLimitTelemetry.LayerTag, bucket.Policy));
            }
        }
        else
        {
            _refused.Add(1, new KeyValuePair<string, object?>(RateLimitTelemetry.LayerTag, decision.RefusedBy));
        }

        if (decision.Leased > 0)
        {
            _leased.Add(decision.Leased);
        }

        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(RateLimitTelemetry.OutcomeTag, decision.Allowed ? "allowed" : "refused"));
    }

    public void RecordFailure(string reason) => _failed.Add(1, new KeyValuePair<string, object?>(RateLimitTelemetry.ReasonTag, reason));
}
