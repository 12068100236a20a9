using AlyAspire.Shared.Credentials;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AlyAspire.AgentGate;

/// <summary>
/// Listens on <see cref="RevocationSignals.Channel"/> and drops cached verifications of a revoked or rolled key at
/// once. An optimisation only: correctness comes from the marker check on every cached use.
/// </summary>
public sealed partial class ApiKeyRevocationSubscriber(
    IConnectionMultiplexer redis,
    ApiKeyVerificationCache cache,
    ILogger<ApiKeyRevocationSubscriber> logger) : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RevocationSignals.Channel);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
            {
                if (message.HasValue && (string?)message is { } marker && ApiKeyVerificationCache.IsApiKeySignal(marker))
                {
                    cache.Evict(marker);
                }
            });
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Without eager eviction, entries still expire within their lifetime and every use checks the marker.
            LogSubscribeFailed(logger, exception);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(Channel);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, exception);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Subscribing to revocation signals failed; cached API keys are evicted by lifetime only")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
