using AlyAspire.RateLimiter.Limits;
using AlyAspire.Shared.RateLimiting;
using AlyAspire.Shared.Resilience;
using Polly;
using Polly.Registry;
using StackExchange.Redis;

namespace AlyAspire.RateLimiter.Decisions;

/// <summary>
/// Limit decisions in Redis with GCRA (the generic cell rate algorithm), one Lua script per decision.
/// </summary>
/// <remarks>
/// Why GCRA rather than a token bucket or a window counter: a bucket's whole state is one number, its
/// "theoretical arrival time" (TAT), so the script reads and writes one plain key per bucket and the key
/// expires by itself once the bucket is full again. It behaves like a token bucket (sustained rate plus a
/// burst) without the second field a token bucket needs, and unlike a fixed-window counter it has no
/// double-burst at window edges. The script takes "now" from Redis's own TIME, so any number of RateLimiter
/// instances agree on time whatever their clocks say. Both buckets of a request (workspace and, when the plan
/// has one, credential) are checked in the same script, and written only if both allow, so a refusal by one
/// consumes nothing from the other. Their keys share a hash tag, so the script is valid on a Redis Cluster too.
/// Leases (units consumed ahead for a busy credential's next requests) are taken in the same step, so the budget
/// is never overspent: a leased unit is gone from Redis before any instance serves a request with it.
/// A decision sits on an agent request's path, so its script runs in the <see cref="DependencyPipelines.RedisHotPath"/>
/// pipeline: a stalled Redis is given up on within the deadline (and at once while the breaker is open), and the
/// caller decides with its failure mode.
/// </remarks>
public sealed class GcraDecisionStore(IConnectionMultiplexer redis, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline _hotPath = pipelines.GetPipeline(DependencyPipelines.RedisHotPath);

    // KEYS[i]: bucket i's TAT (µs since the epoch). ARGV[1]: cost; ARGV[2]: lease units wanted; ARGV[3]: units a
    // bucket must keep per leased unit; ARGV[2i+2], ARGV[2i+3]: bucket i's emission interval (µs per request) and
    // burst. Returns: allowed (1/0), index of the refusing bucket (0 when allowed), retry-after (µs), units leased,
    // then per bucket: remaining requests, µs until full.
    private const string DecideScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local cost, wanted, reserve = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local allowed, refused_by, retry_after = 1, 0, 0
        local tats, new_tats, intervals, tolerances = {}, {}, {}, {}
        for i = 1, #KEYS do
          local interval = tonumber(ARGV[2 * i + 2])
          local tolerance = interval * tonumber(ARGV[2 * i + 3])
          local tat = tonumber(redis.call('GET', KEYS[i]) or now)
          if tat < now then tat = now end
          local new_tat = tat + interval * cost
          local excess = new_tat - now - tolerance
          tats[i], new_tats[i], intervals[i], tolerances[i] = tat, new_tat, interval, tolerance
          if excess > 0 and (allowed == 1 or excess > retry_after) then
            allowed, refused_by, retry_after = 0, i, excess
          end
        end
        local leased = 0
        if allowed == 1 and wanted > 0 then
          leased = wanted
          for i = 1, #KEYS do
            local remaining = math.floor((tolerances[i] - (new_tats[i] - now)) / intervals[i])
            leased = math.min(leased, math.floor(remaining / reserve))
          end
          for i = 1, #KEYS do
            new_tats[i] = new_tats[i] + intervals[i] * leased
          end
        end
        local result = { allowed, refused_by, math.ceil(retry_after), leased }
        for i = 1, #KEYS do
          local tat = tats[i]
          if allowed == 1 then
            tat = new_tats[i]
            redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
          end
          result[#result + 1] = math.max(0, math.floor((tolerances[i] - (tat - now)) / intervals[i]))
          result[#result + 1] = math.ceil(tat - now)
        end
        return result
        """;

    // Same arithmetic as above, read-only: the dashboard's usage read-out.
    private const string ReadScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local result = {}
        for i = 1, #KEYS do
          local interval = tonumber(ARGV[2 * i - 1])
          local tolerance = interval * tonumber(ARGV[2 * i])
          local tat = tonumber(redis.call('GET', KEYS[i]) or now)
          if tat < now then tat = now end
          result[#result + 1] = math.max(0, math.floor((tolerance - (tat - now)) / interval))
          result[#result + 1] = math.ceil(tat - now)
        end
        return result
        """;

    /// <summary>
    /// Decides one request of <paramref name="cost"/> units and, when it is allowed and <paramref name="leaseWanted"/>
    /// is positive, consumes up to that many more units in the same step as a lease for the caller's next requests.
    /// A lease never takes more than one unit per <paramref name="reservePerLeasedUnit"/> units that every bucket
    /// still holds, so it comes only out of a budget far from exhausted, and a budget running low is decided
    /// request by request.
    /// </summary>
    public async Task<Decision> DecideAsync(WorkspaceLimits limits, string? credentialId, int cost, int leaseWanted = 0, int reservePerLeasedUnit = 1)
    {
        var buckets = Buckets(limits, credentialId);
        var keys = new RedisKey[buckets.Count];
        var values = new RedisValue[3 + 2 * buckets.Count];
        values[0] = cost;
        values[1] = leaseWanted;
        values[2] = Math.Max(1, reservePerLeasedUnit);
        for (var i = 0; i < buckets.Count; i++)
        {
            keys[i] = buckets[i].Key;
            values[3 + 2 * i] = buckets[i].Limit.EmissionIntervalMicroseconds;
            values[4 + 2 * i] = buckets[i].Limit.Burst;
        }

        var result = (long[]?)await _hotPath.ExecuteAsync(
                static async (state, ct) => await state.Database.ScriptEvaluateAsync(DecideScript, state.keys, state.values).WaitAsync(ct),
                (Database: redis.GetDatabase(), keys, values))
            ?? throw new RedisException("The decision script returned nothing.");
        var quotas = new BucketState[buckets.Count];
        for (var i = 0; i < buckets.Count; i++)
        {
            quotas[i] = new BucketState(buckets[i].Policy, buckets[i].Limit, result[4 + 2 * i], TimeSpan.FromMicroseconds(result[5 + 2 * i]));
        }

        var allowed = result[0] == 1;
        return new Decision(
            allowed,
            allowed ? null : buckets[(int)result[1] - 1].Policy,
            TimeSpan.FromMicroseconds(result[2]),
            quotas,
            (int)result[3]);
    }

    public async Task<IReadOnlyList<BucketState>> ReadAsync(WorkspaceLimits limits, string? credentialId)
    {
        var buckets = Buckets(limits, credentialId);
        var keys = buckets.Select(b => b.Key).ToArray();
        var values = buckets.SelectMany(b => new RedisValue[] { b.Limit.EmissionIntervalMicroseconds, b.Limit.Burst }).ToArray();
        var result = (long[]?)await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, keys, values)
            ?? throw new RedisException("The read-out script returned nothing.");
        return buckets.Select((b, i) => new BucketState(b.Policy, b.Limit, result[2 * i], TimeSpan.FromMicroseconds(result[2 * i + 1]))).ToArray();
    }

    private static List<Bucket> Buckets(WorkspaceLimits limits, string? credentialId)
    {
        // The hash tag {…} puts both keys of a workspace in one cluster slot, as a multi-key script requires.
        var workspaceKey = $"aly:rl:{{{limits.WorkspaceId}}}";
        var buckets = new List<Bucket>(2) { new(RateLimitPolicies.Workspace, workspaceKey, limits.Workspace) };
        if (limits.PerCredential is { } perCredential && !string.IsNullOrEmpty(credentialId))
        {
            buckets.Add(new(RateLimitPolicies.Credential, $"{workspaceKey}:cred:{credentialId}", perCredential));
        }

        return buckets;
    }

    private sealed record Bucket(string Policy, RedisKey Key, Limit Limit);
}

/// <summary>One bucket after a decision: how many requests may follow at once, and when it is full again.</summary>
public sealed record BucketState(string Policy, Limit Limit, long Remaining, TimeSpan UntilFull)
{
    /// <summary>Requests the bucket currently holds (the dashboard's "consumption").</summary>
    public long Used => Math.Max(0, Limit.Burst - Remaining);
}

/// <summary>A decision; <see cref="Leased"/> units were consumed on top of the request's cost, for the caller to hold.</summary>
public sealed record Decision(bool Allowed, string? RefusedBy, TimeSpan RetryAfter, IReadOnlyList<BucketState> Buckets, int Leased = 0);
