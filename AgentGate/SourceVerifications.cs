using AlyAspire.Shared.Concurrency;
using StackExchange.Redis;

namespace AlyAspire.AgentGate;

/// <summary>
/// The verifications at a credential's source (KeyService, the AuthServer's introspection) under way in this process,
/// by the credential's cache key: concurrent requests with one credential the cache does not hold share one call.
/// The first requests of a fresh credential arrive together (an agent's burst, a benchmark's first second), and fifty
/// calls at once had outrun the request-path deadline on a loaded machine.
/// </summary>
/// <remarks>
/// A request that joins a call under way cannot know whether it began before a revocation that has returned since, so
/// a valid answer it joined is confirmed against the credential's revocation markers (written before a revocation
/// returns), as a cached verification is; if Redis cannot say, the request asks the source in a call of its own.
/// </remarks>
public sealed class SourceVerifications<TAnswer>(RevocationMarkers revocationMarkers)
{
    private readonly CallsUnderWay<TAnswer> _calls = new();

    /// <summary>What a request may use: the answer, whether it joined another's call, and whether a marker overruled it.</summary>
    public readonly record struct Shared(TAnswer Answer, bool Joined, bool Revoked);

    /// <summary>
    /// The answer of the call under way for <paramref name="cacheKey"/>, or of <paramref name="verify"/> (the shared call
    /// gets no cancellation; its client's deadline bounds it). <paramref name="markersOf"/> gives a valid answer's
    /// revocation markers, and null for an answer with nothing to confirm.
    /// </summary>
    public async Task<Shared> VerifyAsync(
        string cacheKey, Func<CancellationToken, Task<TAnswer>> verify, Func<TAnswer, RedisKey[]?> markersOf, CancellationToken cancellationToken)
    {
        var answer = await _calls.Join(cacheKey, () => verify(CancellationToken.None), out var joined).WaitAsync(cancellationToken);
        if (!joined || markersOf(answer) is not { } markers)
        {
            return new Shared(answer, joined, Revoked: false);
        }

        return await revocationMarkers.AnyExistsAsync(markers, cancellationToken) switch
        {
            false => new Shared(answer, Joined: true, Revoked: false),
            true => new Shared(answer, Joined: true, Revoked: true),
            null => new Shared(await verify(cancellationToken), Joined: true, Revoked: false),
        };
    }
}
