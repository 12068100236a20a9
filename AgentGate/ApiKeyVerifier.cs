using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.AgentGate;

/// <summary>
/// Verifies <c>aly_…</c> API keys for the agent surfaces. Per request: the offline format check (a malformed or
/// mistyped key never leaves the process); then a cached verification, used only after one Redis <c>EXISTS</c>
/// finds no revocation marker for the key and its expiry has not passed (by <see cref="TimeProvider"/>); otherwise
/// KeyService is asked and its answer cached for at most <see cref="RevocationSignals.MaxCacheLifetime"/>, never past
/// the key's expiry. If Redis cannot be reached the cache is bypassed, so a revocation can never be missed.
/// </summary>
public sealed class ApiKeyVerifier(
    IHttpClientFactory httpClients,
    ApiKeyVerificationCache cache,
    SourceVerifications<ApiKeyVerifier.SourceAnswer> sourceCalls,
    RevocationMarkers revocationMarkers,
    TimeProvider time) : ICredentialVerifier
{
    public CredentialKind Kind => CredentialKind.ApiKey;

    /// <exception cref="ApiKeyServiceException">KeyService refused the verification call (e.g. it is unavailable).</exception>
    /// <exception cref="HttpRequestException">KeyService could not be reached.</exception>
    public async ValueTask<CredentialVerification> VerifyAsync(string bearer, CancellationToken cancellationToken)
    {
        if (ApiKeyFormat.InvalidReason(ApiKeyFormat.Check(bearer)) is { } formatReason)
        {
            return CredentialVerification.Invalid(formatReason);
        }

        var cacheKey = RevocationMarkers.CacheKeyFor(bearer);
        var now = time.GetUtcNow();
        if (cache.TryGet(cacheKey, out var cached))
        {
            if (cached.Credential.ExpiresAt <= now)
            {
                cache.Remove(cacheKey);
                return CredentialVerification.Invalid(ApiKeyInvalidReasons.Expired);
            }

            if (cached.CachedUntil > now)
            {
                switch (await revocationMarkers.AnyExistsAsync(cached.AllMarkers, cancellationToken))
                {
                    case false:
                        return CredentialVerification.Valid(cached.Credential);
                    case true:
                        cache.Remove(cacheKey);
                        return CredentialVerification.Invalid(ApiKeyInvalidReasons.Revoked);
                    case null:
                        // Redis unreachable: the marker cannot be checked, so the cache cannot be trusted.
                        break;
                }
            }
        }

        var shared = await sourceCalls.VerifyAsync(
            cacheKey, ct => VerifyAtSourceAsync(bearer, cacheKey, ct), answer => answer.Markers, cancellationToken);
        if (shared.Revoked)
        {
            cache.Remove(cacheKey);
            return CredentialVerification.Invalid(ApiKeyInvalidReasons.Revoked);
        }

        return shared.Answer.Verification;
    }

    /// <summary>A verification by KeyService, and the revocation markers that overrule it from then on (a valid one only).</summary>
    public sealed record SourceAnswer(CredentialVerification Verification, StackExchange.Redis.RedisKey[]? Markers);

    /// <summary>Asks KeyService (one call, under its client's deadline) and caches a valid answer.</summary>
    private async Task<SourceAnswer> VerifyAtSourceAsync(string bearer, string cacheKey, CancellationToken cancellationToken)
    {
        // The client is made only here, on a miss: a request served from the cache needs none.
        var keyService = new ApiKeyClient(httpClients.CreateClient(VerificationCalls.KeyServiceClient));
        var answer = await keyService.VerifyAsync(bearer, cancellationToken);
        if (!answer.Valid || answer.KeyId is not { } keyId || answer.WorkspaceId is not { } workspaceId)
        {
            cache.Remove(cacheKey);
            return new SourceAnswer(CredentialVerification.Invalid(answer.Reason ?? ApiKeyInvalidReasons.Unknown), null);
        }

        var credential = new VerifiedCredential(
            CredentialKind.ApiKey,
            keyId.ToString(),
            workspaceId.ToString(),
            // The creator, when a person, for audit only; nothing authorizes by it.
            answer.CreatedBy is { } creator && creator.StartsWith(UserActorPrefix, StringComparison.Ordinal) ? creator : null,
            ClientId: null,
            answer.Scopes ?? [],
            answer.ExpiresAt,
            Audiences: [],
            answer.AuthorizationId,
            answer.PlatformProfile);

        var otherMarkers = new List<string>();
        if (answer.SecretId is { } secretId)
        {
            otherMarkers.Add(RevocationSignals.ApiKeySecret(secretId.ToString()));
        }

        if (answer.AuthorizationId is { } authorizationId)
        {
            otherMarkers.Add(RevocationSignals.OAuthAuthorization(authorizationId));
        }

        var now = time.GetUtcNow();
        var lifetime = RevocationMarkers.CacheLifetime(now, answer.ExpiresAt);
        var cached = new CachedApiKeyVerification(credential, RevocationSignals.ApiKey(credential.CredentialId), now + lifetime, [.. otherMarkers]);
        cache.Set(cacheKey, cached, lifetime);
        return new SourceAnswer(CredentialVerification.Valid(credential), cached.AllMarkers);
    }

    /// <summary>The form of a person's actor id (<see cref="ApiKeyActor.Actor"/>), as opposed to a credential's.</summary>
    public const string UserActorPrefix = "user:";
}
