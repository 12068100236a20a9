using System.Collections.Concurrent;
using AlyAspire.Shared.Credentials;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace AlyAspire.AgentGate;

/// <summary>A verified key as cached: what KeyService said, the key's revocation marker, and until when to trust it.</summary>
/// <param name="OtherMarkers">Further markers that end this entry: the matched secret's (a roll without grace) and,
/// for an agent-minted key, its grant's.</param>
public sealed record CachedApiKeyVerification(VerifiedCredential Credential, string RevocationMarker, DateTimeOffset CachedUntil, string[]? OtherMarkers = null)
{
    public StackExchange.Redis.RedisKey[] AllMarkers =>
        [RevocationMarker, .. (OtherMarkers ?? []).Select(m => (StackExchange.Redis.RedisKey)m)];
}

/// <summary>
/// The verifier's in-process cache of positive verifications. Entries are keyed by a SHA-256 of the secret, never the
/// secret itself, and can be dropped by key id (a revocation or roll signal) through a change token per key.
/// An entry is only a hint: <see cref="ApiKeyVerifier"/> checks the revocation marker before every use.
/// </summary>
public sealed class ApiKeyVerificationCache : IDisposable
{
    /// <summary>Caps memory: at most this many secrets cached per process.</summary>
    public const int SizeLimit = 100_000;

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = SizeLimit });

    // One source per revocation marker (i.e. per key id): cancelling it expires every cached secret of that key.
    // Bounded by the number of distinct keys seen, a few dozen bytes each.
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _evictionSignals = new(StringComparer.Ordinal);

    public bool TryGet(string cacheKey, out CachedApiKeyVerification entry)
    {
        if (_entries.TryGetValue(cacheKey, out CachedApiKeyVerification? found) && found is not null)
        {
            entry = found;
            return true;
        }

        entry = null!;
        return false;
    }

    public void Set(string cacheKey, CachedApiKeyVerification entry, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var signal = _evictionSignals.GetOrAdd(entry.RevocationMarker, static _ => new CancellationTokenSource());
        using var cacheEntry = _entries.CreateEntry(cacheKey);
        cacheEntry.Value = entry;
        cacheEntry.Size = 1;
        cacheEntry.AbsoluteExpirationRelativeToNow = lifetime;
        cacheEntry.AddExpirationToken(new CancellationChangeToken(signal.Token));
    }

    public void Remove(string cacheKey) => _entries.Remove(cacheKey);

    /// <summary>Drops every cached secret of the key whose revocation marker is <paramref name="revocationMarker"/>.</summary>
    public void Evict(string revocationMarker)
    {
        if (_evictionSignals.TryRemove(revocationMarker, out var signal))
        {
            signal.Cancel();
        }
    }

    /// <summary>Whether a message on <see cref="RevocationSignals.Channel"/> concerns API keys at all.</summary>
    public static bool IsApiKeySignal(string marker) =>
        marker.StartsWith(RevocationSignals.ApiKey(string.Empty), StringComparison.Ordinal);

    public void Dispose() => _entries.Dispose();
}
