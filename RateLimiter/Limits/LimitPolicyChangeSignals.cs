using StackExchange.Redis;

namespace AlyAspire.RateLimiter.Limits;

/// <summary>
/// Tells every RateLimiter instance that a workspace's override changed, so none keeps deciding with the old
/// limits for a whole cache lifetime. Best effort: if Redis is down, no decision is being made from it anyway,
/// and the cache entry expires by itself.
/// </summary>
public sealed class LimitPolicyChangeSignals(
    IConnectionMultiplexer redis,
    WorkspaceLimitPolicies policies,
    ILogger<LimitPolicyChangeSignals> logger) : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("aly:rate-limits:override-changed");

    public async Task PublishAsync(string workspaceId)
    {
        policies.Forget(workspaceId);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, workspaceId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not announce the limit change of workspace {WorkspaceId}; other instances pick it up when their cache expires", workspaceId);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The multiplexer restores the subscription after a reconnect.
            await redis.GetSubscriber().SubscribeAsync(Channel, (_, workspaceId) => policies.Forget(workspaceId.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not subscribe to limit changes; cached limits expire by themselves");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
