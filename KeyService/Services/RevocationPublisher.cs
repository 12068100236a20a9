using AlyAspire.Shared.Credentials;
using StackExchange.Redis;

namespace AlyAspire.KeyService.Services;

/// <summary>Tells every verifier's cache about a key's change through Redis (see <see cref="RevocationSignals"/>).</summary>
public sealed class RevocationPublisher(IConnectionMultiplexer redis)
{
    /// <summary>
    /// Sets the key's revocation marker, which every cached verification checks, then publishes it so caches
    /// drop their entries eagerly. Throws if Redis does not take the marker: the revoke must then fail.
    /// </summary>
    public async Task PublishRevokedAsync(Guid keyId)
    {
        var marker = RevocationSignals.ApiKey(keyId.ToString());
        var db = redis.GetDatabase();
        if (!await db.StringSetAsync(marker, "1", RevocationSignals.MarkerLifetime))
        {
            throw new RedisException($"Redis did not store the revocation marker of key {keyId}.");
        }

        await db.PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), marker);
    }

    /// <summary>
    /// Ends rolled-away secrets of a key (a roll without grace, or a grace that ended) exactly as a revoke ends a key:
    /// each secret's marker is set before this returns, then the key is published so caches drop its entries.
    /// Throws if Redis does not take a marker.
    /// </summary>
    public async Task PublishSecretsRevokedAsync(Guid keyId, IReadOnlyCollection<Guid> secretIds)
    {
        var db = redis.GetDatabase();
        foreach (var secretId in secretIds)
        {
            if (!await db.StringSetAsync(RevocationSignals.ApiKeySecret(secretId.ToString()), "1", RevocationSignals.MarkerLifetime))
            {
                throw new RedisException($"Redis did not store the revocation marker of a secret of key {keyId}.");
            }
        }

        await db.PublishAsync(RedisChannel.Literal(RevocationSignals.Channel), RevocationSignals.ApiKey(keyId.ToString()));
    }

    /// <summary>
    /// After a roll: no marker (the old secret stays valid through its grace period), only a publish so caches
    /// forget what they knew of the key and learn the old secret's new grace expiry on its next use.
    /// </summary>
    public async Task PublishRolledAsync(Guid keyId) =>
        await redis.GetDatabase().PublishAsync(
            RedisChannel.Literal(RevocationSignals.Channel), RevocationSignals.ApiKey(keyId.ToString()));
}
