using AlyAspire.Shared.Credentials;
using StackExchange.Redis;

namespace AlyAspire.AgentGate;

/// <summary>
/// The write side of <see cref="RevocationMarkers"/>: the issuers (the KeyService for API keys, the AuthServer for
/// OAuth tokens and grants) set a credential's marker before their revoke returns, so the next request anywhere
/// finds it, then publish it on <see cref="RevocationSignals.Channel"/> so caches drop their entries early.
/// Every method throws if Redis does not take a marker: the revoke must then fail (or its outbox retry).
/// </summary>
public sealed partial class RevocationPublisher(IConnectionMultiplexer redis, ILogger<RevocationPublisher> logger)
{
    public Task ApiKeyRevokedAsync(Guid keyId) => PublishAsync(RevocationSignals.ApiKey(keyId.ToString()));

    public Task OAuthTokenRevokedAsync(string tokenId) => PublishAsync(RevocationSignals.OAuthToken(tokenId));

    public Task OAuthAuthorizationRevokedAsync(string authorizationId) => PublishAsync(RevocationSignals.OAuthAuthorization(authorizationId));

    /// <summary>Sets and publishes a marker named by <see cref="RevocationSignals"/> (what an outbox delivers).</summary>
    public async Task PublishAsync(string marker)
    {
        var db = redis.GetDatabase();
        // Sent together, in this order, on one connection: one round trip, and Redis sets the marker before the message.
        var set = SetMarkerAsync(db, marker);
        var publish = db.PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), marker);
        await Task.WhenAll(set, publish);
        LogMarkerSet(logger, marker);
    }

    /// <summary>
    /// Ends rolled-away secrets of a key (a roll without grace, or a grace that ended) exactly as a revoke ends a key:
    /// each secret's marker is set, then the key is published so caches drop its entries.
    /// </summary>
    public async Task ApiKeySecretsRevokedAsync(Guid keyId, IReadOnlyCollection<Guid> secretIds)
    {
        var db = redis.GetDatabase();
        var sets = secretIds.Select(secretId => SetMarkerAsync(db, RevocationSignals.ApiKeySecret(secretId.ToString()))).ToList();
        var publish = db.PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), RevocationSignals.ApiKey(keyId.ToString()));
        await Task.WhenAll([.. sets, publish]);
    }

    /// <summary>
    /// After a roll: no marker (the old secret stays valid through its grace period), only a publish so caches
    /// forget what they knew of the key and learn the old secret's new grace expiry on its next use.
    /// </summary>
    public async Task ApiKeyRolledAsync(Guid keyId) =>
        await redis.GetDatabase().PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), RevocationSignals.ApiKey(keyId.ToString()));

    private static async Task SetMarkerAsync(IDatabase db, string marker)
    {
        if (!await db.StringSetAsync(marker, "1", RevocationSignals.MarkerLifetime))
        {
            throw new RedisException("Redis did not store a revocation marker.");
        }
    }

    [LoggerMessage(LogLevel.Information, "Revocation marker {Marker} set and published")]
    private static partial void LogMarkerSet(ILogger logger, string marker);
}
