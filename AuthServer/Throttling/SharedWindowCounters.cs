using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>One fixed-window limit on one subject (an address bucket, a client id, an e-mail).</summary>
/// <param name="Name">What is limited, e.g. <c>token:address</c>; part of the Redis key.</param>
/// <param name="Subject">Who is counted; only its hash reaches Redis (e-mails and client ids are not stored).</param>
public readonly record struct WindowLimit(string Name, string Subject, int Limit, TimeSpan Window);

/// <summary>
/// Fixed-window counters every AuthServer instance shares, in Redis: one atomic script per count (INCRBY, and the
/// window's expiry set with the first hit), so two instances together allow what one would. A fixed window, not
/// GCRA, because the limits here are "so many per minute / per quarter hour", and the failed sign-in limit's
/// promise is exactly that: refused until the window ends. When Redis is gone or slower than
/// <see cref="ThrottlingOptions.RedisDeadline"/>, each instance counts on its own (System.Threading.RateLimiting
/// windows of the same size) and leaves Redis alone for <see cref="ThrottlingOptions.RedisRetryInterval"/>: limits
/// keep holding per instance rather than failing closed or not at all.
/// </summary>
public sealed partial class SharedWindowCounters : IDisposable
{
    // KEYS[1]: the window's counter. ARGV[1]: hits to add (0 to look); ARGV[2]: window (ms). Returns count, ms left.
    private const string CountScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          ttl = tonumber(ARGV[2])
        end
        return { count, ttl }
        """;

    // Two limits on one request in one round trip: KEYS[1] is counted first, KEYS[2] only if KEYS[1] still fits (a
    // refused request is not counted against the second subject). ARGV[1], ARGV[2]: limits; ARGV[3], ARGV[4]: windows
    // (ms). Returns 0 when both fit, else the refusing counter's ms left.
    private const string CountBothScript = """
        for i = 1, 2 do
          local count = redis.call('INCR', KEYS[i])
          local ttl = redis.call('PTTL', KEYS[i])
          if ttl < 0 then
            redis.call('PEXPIRE', KEYS[i], ARGV[i + 2])
            ttl = tonumber(ARGV[i + 2])
          end
          if count > tonumber(ARGV[i]) then
            return math.max(1, ttl)
          end
        end
        return 0
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly ThrottlingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SharedWindowCounters> _logger;
    private readonly PartitionedRateLimiter<WindowLimit> _local;
    private long _redisRetryAt;

    public SharedWindowCounters(IConnectionMultiplexer redis, IOptions<ThrottlingOptions> options, TimeProvider time, ILogger<SharedWindowCounters> logger)
    {
        _redis = redis;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _local = PartitionedRateLimiter.Create<WindowLimit, WindowLimit>(limit => RateLimitPartition.GetFixedWindowLimiter(limit,
            l => new FixedWindowRateLimiterOptions { PermitLimit = l.Limit, Window = l.Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>
    /// Counts <paramref name="hits"/> against the limit (0: only looks). Null when they fit (when only looking: when
    /// one more would); otherwise how long until the window ends.
    /// </summary>
    public async ValueTask<TimeSpan?> CountAsync(WindowLimit limit, int hits, CancellationToken cancellationToken)
    {
        if (await EvaluateAsync(CountScript, [Key(limit)], [hits, (long)limit.Window.TotalMilliseconds], cancellationToken) is not { } answer)
        {
            return CountLocally(limit, hits);
        }

        var result = (RedisResult[])answer!;
        var count = (long)result[0];
        return count + (hits == 0 ? 1 : 0) <= limit.Limit ? null : TimeSpan.FromMilliseconds(Math.Max(1, (long)result[1]));
    }

    /// <summary>
    /// Counts one hit against <paramref name="first"/> and, if it fits, one against <paramref name="then"/>, in one
    /// Redis round trip (the OAuth endpoints' per-address and per-client limits on the same request). Null when both
    /// fit; otherwise how long until the refusing window ends.
    /// </summary>
    public async ValueTask<TimeSpan?> CountBothAsync(WindowLimit first, WindowLimit then, CancellationToken cancellationToken)
    {
        if (await EvaluateAsync(CountBothScript, [Key(first), Key(then)],
                [first.Limit, then.Limit, (long)first.Window.TotalMilliseconds, (long)then.Window.TotalMilliseconds], cancellationToken) is not { } answer)
        {
            return CountLocally(first, 1) ?? CountLocally(then, 1);
        }

        var waitMs = (long)answer;
        return waitMs == 0 ? null : TimeSpan.FromMilliseconds(waitMs);
    }

    /// <summary>
    /// A counting script's answer, or null when Redis cannot be asked or did not answer within
    /// <see cref="ThrottlingOptions.RedisDeadline"/> (then it is left alone for <see cref="ThrottlingOptions.RedisRetryInterval"/>
    /// and the caller counts locally).
    /// </summary>
    private async ValueTask<RedisResult?> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        if (_time.GetTimestamp() < Interlocked.Read(ref _redisRetryAt) || !_redis.IsConnected)
        {
            return null;
        }

        try
        {
            return await _redis.GetDatabase().ScriptEvaluateAsync(script, keys, values).WaitAsync(_options.RedisDeadline, _time, cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _redisRetryAt, _time.GetTimestamp() + (long)(_options.RedisRetryInterval.TotalSeconds * _time.TimestampFrequency));
            LogCountingLocally(_logger, _options.RedisRetryInterval, e.GetType().Name);
            return null;
        }
    }

    private TimeSpan? CountLocally(WindowLimit limit, int hits)
    {
        using var lease = _local.AttemptAcquire(limit, hits);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
    }

    public void Dispose() => _local.Dispose();

    /// <summary><c>aly:throttle:&lt;name&gt;:&lt;hash of the subject&gt;</c>: the subject itself never reaches Redis.</summary>
    private static RedisKey Key(WindowLimit limit) =>
        $"aly:throttle:{limit.Name}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(limit.Subject)), 0, 16)}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer a throttling count ({Error}); counting in this instance for {RetryInterval}.")]
    private static partial void LogCountingLocally(ILogger logger, TimeSpan retryInterval, string error);
}
