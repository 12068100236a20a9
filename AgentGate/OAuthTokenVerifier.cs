using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace AlyAspire.AgentGate;

/// <summary>
/// Verifies <c>aly_oauth_…</c> access tokens for a resource server by introspection (RFC 7662) at the AuthServer,
/// as the confidential client <see cref="ClientId"/> with its own secret (<see cref="ClientSecretKey"/>). Active results
/// are cached (keyed by the token's SHA-256, never the token) for at most
/// <see cref="RevocationSignals.MaxCacheLifetime"/> and never past the token's expiry; every cache hit is
/// checked against the token's and its authorization's revocation markers with one Redis EXISTS. If Redis
/// cannot answer, the cache is bypassed and the AuthServer asked.
/// </summary>
/// <remarks>Throws <see cref="HttpRequestException"/> when the AuthServer cannot be reached: a resource server
/// answers that with 503, not with 401.</remarks>
public sealed class OAuthTokenVerifier(
    IHttpClientFactory httpClients,
    RevocationMarkers revocationMarkers,
    IMemoryCache cache,
    IConfiguration configuration,
    TimeProvider time) : ICredentialVerifier
{
    public const string HttpClientName = "aly-oauth-introspection";
    public const string ClientId = "storefrontapi";

    /// <summary>Configuration key of the introspection client's secret: its own, shared with no other service pair.</summary>
    public const string ClientSecretKey = "Introspection:ClientSecret";
    public const string IntrospectionPath = "/oauth/introspect";
    public const string AuthorizationIdClaim = "authorization_id";

    /// <summary>Configuration naming the introspecting client when it is not the StorefrontApi (the KeyService is <c>keyservice</c>).</summary>
    public const string IntrospectionClientIdKey = "OAuth:IntrospectionClientId";

    private readonly SourceVerifications<CachedToken?> _introspections = new(revocationMarkers);

    public CredentialKind Kind => CredentialKind.OAuthAccessToken;

    public async ValueTask<CredentialVerification> VerifyAsync(string bearer, CancellationToken cancellationToken)
    {
        if (CredentialFormats.Classify(bearer) != CredentialKind.OAuthAccessToken)
        {
            return CredentialVerification.Invalid("The bearer is not an OAuth access token.");
        }

        var cacheKey = "aly-oauth:" + RevocationMarkers.CacheKeyFor(bearer);
        var redisAnswers = true;
        if (cache.TryGetValue(cacheKey, out CachedToken? cached) && cached is not null)
        {
            var revoked = await revocationMarkers.AnyExistsAsync(cached.MarkerKeys, cancellationToken);
            if (revoked == false)
            {
                return CredentialVerification.Valid(cached.Credential);
            }

            cache.Remove(cacheKey);
            if (revoked == true)
            {
                return CredentialVerification.Invalid("The token has been revoked.");
            }

            redisAnswers = false;
        }

        var shared = await _introspections.VerifyAsync(cacheKey, ct => IntrospectAsync(bearer, ct), token => token?.MarkerKeys, cancellationToken);
        if (shared.Revoked)
        {
            return CredentialVerification.Invalid("The token has been revoked.");
        }

        var introspected = shared.Answer;
        if (introspected is null)
        {
            return CredentialVerification.Invalid("The token is not active.");
        }

        // Only cache what a marker check can later overrule: without Redis, every request goes to the source. The
        // request that made the introspection caches it; those that joined it have nothing to add.
        if (!shared.Joined && redisAnswers && revocationMarkers.CanCheck)
        {
            var lifetime = RevocationMarkers.CacheLifetime(time.GetUtcNow(), introspected.Credential.ExpiresAt);
            if (lifetime > TimeSpan.Zero)
            {
                cache.Set(cacheKey, introspected, lifetime);
            }
        }

        return CredentialVerification.Valid(introspected.Credential);
    }

    private async Task<CachedToken?> IntrospectAsync(string token, CancellationToken cancellationToken)
    {
        var secret = configuration[ClientSecretKey] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{ClientSecretKey} is not configured.");
        using var http = httpClients.CreateClient(HttpClientName);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type_hint"] = "access_token",
            ["client_id"] = configuration[IntrospectionClientIdKey] ?? ClientId,
            ["client_secret"] = secret,
        });
        using var response = await http.PostAsync(IntrospectionPath, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // 4xx here means our own client credentials are wrong: a configuration fault, not a bad token.
            throw new HttpRequestException($"Token introspection failed with status {(int)response.StatusCode}.", null, response.StatusCode);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!body.TryGetProperty("active", out var active) || active.ValueKind != JsonValueKind.True
            || String(body, AgentClaimTypes.WorkspaceId) is not { } workspaceId
            || String(body, "jti") is not { } tokenId)
        {
            return null;
        }

        var expiresAt = body.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : (DateTimeOffset?)null;
        // A machine client's token (client_credentials) names the client as its subject (RFC 9068 §2.2): no person.
        var clientId = String(body, "client_id");
        var subject = String(body, "sub");
        var credential = new VerifiedCredential(
            CredentialKind.OAuthAccessToken,
            tokenId,
            workspaceId,
            subject == clientId ? null : subject,
            clientId,
            ScopesOf(body),
            expiresAt,
            AudiencesOf(body),
            String(body, AuthorizationIdClaim),
            String(body, AgentClaimTypes.PlatformProfile));

        var markers = new List<RedisKey> { RevocationSignals.OAuthToken(tokenId) };
        if (String(body, AuthorizationIdClaim) is { } authorizationId)
        {
            markers.Add(RevocationSignals.OAuthAuthorization(authorizationId));
        }

        return new CachedToken(credential, [.. markers]);
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] ScopesOf(JsonElement body) =>
        String(body, "scope") is { } scope ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    private static string[] AudiencesOf(JsonElement body) =>
        body.TryGetProperty("aud", out var aud) ? aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToArray(),
            _ => [],
        } : [];

    private sealed record CachedToken(VerifiedCredential Credential, RedisKey[] MarkerKeys);
}

public static class OAuthTokenVerificationExtensions
{
    /// <summary>
    /// Registers <see cref="OAuthTokenVerifier"/> as an <see cref="ICredentialVerifier"/> for OAuth access tokens,
    /// introspecting at <c>http://authserver</c> (service discovery). Needs an <see cref="IConnectionMultiplexer"/>
    /// (<c>builder.AddRedisClient("redis")</c>) and <see cref="OAuthTokenVerifier.ClientSecretKey"/>.
    /// </summary>
    public static IServiceCollection AddOAuthTokenVerification(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddDependencyPipelines();
        services.TryAddSingleton<RevocationMarkers>();
        services.AddHttpClient(OAuthTokenVerifier.HttpClientName, client => client.BaseAddress = new Uri("http://authserver")).AsVerificationCall();
        services.AddSingleton<OAuthTokenVerifier>();
        services.AddSingleton<ICredentialVerifier>(sp => sp.GetRequiredService<OAuthTokenVerifier>());
        return services;
    }
}
