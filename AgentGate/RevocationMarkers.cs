using AlyAspire.Shared.Credentials;
using System.Security.Cryptography;
using System.Text;
using AlyAspire.Shared.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;
using StackExchange.Redis;

namespace AlyAspire.AgentGate;

/// <summary>
/// What every verifier's cache shares: entries keyed by a hash of the secret (never the secret), trusted for at
/// most <see cref="RevocationSignals.MaxCacheLifetime"/> and never past the credential's expiry, and used only after
/// one Redis <c>EXISTS</c> finds none of the credential's <see cref="RevocationSignals"/> markers. The check runs in
/// the <see cref="DependencyPipelines.RedisHotPath"/> pipeline: a stalled Redis costs a request at most its deadline,
/// and none once the breaker is open; either way the verifier then asks the credential's source.
/// </summary>
public sealed partial class RevocationMarkers(IConnectionMultiplexer redis, ResiliencePipelineProvider<string> pipelines, ILogger<RevocationMarkers> logger)
{
    private readonly ResiliencePipeline _hotPath = pipelines.GetPipeline(DependencyPipelines.RedisHotPath);

    /// <summary>The cache key of a secret: its SHA-256, so a heap dump of the cache reveals no credential.</summary>
    public static string CacheKeyFor(string secret) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>How long a positive verification may be cached: never past the credential's expiry.</summary>
    public static TimeSpan CacheLifetime(DateTimeOffset now, DateTimeOffset? expiresAt) =>
        expiresAt is { } expiry && expiry - now < RevocationSignals.MaxCacheLifetime ? expiry - now : RevocationSignals.MaxCacheLifetime;

    /// <summary>Whether Redis is there to overrule a cache entry later; without it nothing should be cached.</summary>
    public bool CanCheck => redis.IsConnected;

    /// <returns>True if any marker exists, false if none does, null when Redis could not answer (then the cache must not be trusted).</returns>
    public async Task<bool?> AnyExistsAsync(RedisKey[] markers, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var found = await _hotPath.ExecuteAsync(
                static async (state, ct) => await state.Database.KeyExistsAsync(state.Markers).WaitAsync(ct),
                (Database: redis.GetDatabase(), Markers: markers),
                cancellationToken);
            return found > 0;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException or ExecutionRejectedException
                                          && !cancellationToken.IsCancellationRequested)
        {
            // While the breaker is open every check is refused at once; the failures that opened it were logged.
            if (exception is not Polly.CircuitBreaker.BrokenCircuitException)
            {
                LogMarkerCheckFailed(logger, exception.GetType().Name);
            }

            return null;
        }
    }

    // Without the stack: while Redis stalls this is many requests a second, and a stack says nothing a type does not.
    [LoggerMessage(LogLevel.Warning, "Redis did not answer a revocation-marker check ({Failure}); the verifier asks the credential's source instead")]
    private static partial void LogMarkerCheckFailed(ILogger logger, string failure);
}
