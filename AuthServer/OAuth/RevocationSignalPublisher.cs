using AlyAspire.Shared.Credentials;
using StackExchange.Redis;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Writes the Redis markers through which an OAuth revocation reaches every resource server's cache, and
/// publishes them. Called before a revoke returns, so the very next request anywhere sees it.
/// </summary>
public sealed class RevocationSignalPublisher(IConnectionMultiplexer redis, ILogger<RevocationSignalPublisher> logger)
{
    public Task TokenRevokedAsync(string tokenId) => PublishAsync(RevocationSignals.OAuthToken(tokenId));

    public Task AuthorizationRevokedAsync(string authorizationId) => PublishAsync(RevocationSignals.OAuthAuthorization(authorizationId));

    /// <summary>Sets and publishes a marker named by <see cref="RevocationSignals"/> (the outbox's delivery).</summary>
    public Task PublishMarkerAsync(string marker) => PublishAsync(marker);

    private async Task PublishAsync(string marker)
    {
        var db = redis.GetDatabase();
        // Both commands are sent; the marker is what verifiers rely on, the message only drops cache entries early.
        var set = db.StringSetAsync(marker, "1", RevocationSignals.MarkerLifetime);
        var publish = db.PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), marker);
        await Task.WhenAll(set, publish);
        logger.LogInformation("Revocation marker {Marker} set and published", marker);
    }
}
