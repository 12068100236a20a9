using AlyAspire.AgentGate;
using AlyAspire.Shared.Credentials;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using StackExchange.Redis;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Active introspection answers for the platform's resource servers, kept for a short while so a token that several
/// resource-server instances (or one, after its own cache dropped it) ask about again costs neither PostgreSQL nor
/// OpenIddict's pipeline. The rules are those of the resource servers' own caches (<see cref="RevocationMarkers"/>):
/// an entry lives at most <see cref="RevocationSignals.MaxCacheLifetime"/> and never past the token's expiry, and
/// every hit is answered only after one Redis <c>EXISTS</c> finds neither the token's nor its authorization's
/// revocation marker; a marker sends the request through OpenIddict as if nothing were cached, and a Redis that cannot
/// answer (or a lost connection to it) empties the cache, since a marker may then wait in the outbox. The issuers set
/// those markers before a revocation, a member's removal or a client's deletion returns.
/// </summary>
/// <remarks>
/// Only requests <see cref="ResourceServerCredentials"/> authenticates are served: a resource server presenting exactly
/// its configured introspection secret. Every other request, and every miss, is OpenIddict's. Entries are keyed by the
/// caller and a SHA-256 of the token, so no token is kept; only active answers are stored, by <see cref="Store"/>, for
/// requests <see cref="Serve"/> authenticated.
/// </remarks>
public sealed class IntrospectionResponseCache : IDisposable
{
    private const int Capacity = 20_000;
    private const string PendingEntryItem = "aly:introspection-cache-entry";

    private readonly MemoryCache _answers = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly TimeProvider _time;

    public IntrospectionResponseCache(TimeProvider time, IConnectionMultiplexer redis)
    {
        _time = time;
        // Markers set while this instance was cut off from Redis must not be overlooked by what it remembered before.
        redis.ConnectionFailed += (_, _) => _answers.Clear();
        redis.ConnectionRestored += (_, _) => _answers.Clear();
    }

    private sealed record Entry(byte[] Body, RedisKey[] Markers);

    private static string KeyOf(string caller, string token) => caller + "\n" + RevocationMarkers.CacheKeyFor(token);

    /// <summary>Answers a resource server's introspection from a stored answer, once Redis has found no revocation marker for it.</summary>
    public sealed class Serve(IntrospectionResponseCache cache, ResourceServerCredentials resourceServers, RevocationMarkers markers)
        : IOpenIddictServerHandler<ProcessRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
                .AddFilter<OpenIddictServerHandlerFilters.RequireIntrospectionRequest>()
                .UseSingletonHandler<Serve>()
                .SetOrder(OpenIddictServerHandlers.Introspection.ExtractIntrospectionRequest.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ProcessRequestContext context)
        {
            if (context.Transaction.GetHttpRequest() is not { } request || await resourceServers.AuthenticateAsync(request.HttpContext) is not { } caller
                || request.Form[Parameters.Token] is not [{ Length: > 0 } token])
            {
                return;
            }

            var key = KeyOf(caller, token);
            request.HttpContext.Items[PendingEntryItem] = key;
            if (!cache._answers.TryGetValue(key, out Entry? entry) || entry is null)
            {
                return;
            }

            switch (await markers.AnyExistsAsync(entry.Markers, context.CancellationToken))
            {
                case true:
                    // Revoked: OpenIddict answers from authdb.
                    cache._answers.Remove(key);
                    return;
                case null:
                    // Redis cannot say, and a marker set while it could not may still wait in the outbox: nothing kept
                    // so far is trusted again; OpenIddict answers (its membership check included) until Redis is back.
                    cache._answers.Clear();
                    return;
            }

            await OpenIddictJsonDocuments.WriteUncachedAsync(request.HttpContext.Response, entry.Body, context.CancellationToken);
            context.HandleRequest();
        }
    }

    /// <summary>Keeps an active answer OpenIddict just gave to a request <see cref="Serve"/> authenticated, serialized as OpenIddict serializes it.</summary>
    public sealed class Store(IntrospectionResponseCache cache, RevocationMarkers markers) : IOpenIddictServerHandler<ApplyIntrospectionResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyIntrospectionResponseContext>()
                .UseSingletonHandler<Store>()
                .SetOrder(OpenIddictServerAspNetCoreHandlers.ProcessJsonResponse<ApplyIntrospectionResponseContext>.Descriptor.Order - 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyIntrospectionResponseContext context)
        {
            if (!string.IsNullOrEmpty(context.Error) || context.Transaction.Response is not { } answer
                || context.Transaction.GetHttpRequest()?.HttpContext.Items[PendingEntryItem] is not string key
                || (bool?)answer[Claims.Active] != true || (string?)answer[Claims.JwtId] is not { Length: > 0 } tokenId
                || (long?)answer[Claims.ExpiresAt] is not { } expiresAt || !markers.CanCheck)
            {
                return ValueTask.CompletedTask;
            }

            var lifetime = RevocationMarkers.CacheLifetime(cache._time.GetUtcNow(), DateTimeOffset.FromUnixTimeSeconds(expiresAt));
            if (lifetime <= TimeSpan.Zero)
            {
                return ValueTask.CompletedTask;
            }

            RedisKey[] revocationMarkers = (string?)answer[OAuthTokenVerifier.AuthorizationIdClaim] is { Length: > 0 } authorizationId
                ? [RevocationSignals.OAuthToken(tokenId), RevocationSignals.OAuthAuthorization(authorizationId)]
                : [RevocationSignals.OAuthToken(tokenId)];
            cache._answers.Set(key, new Entry(OpenIddictJsonDocuments.Serialize(answer), revocationMarkers),
                new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
            return ValueTask.CompletedTask;
        }
    }

    public void Dispose() => _answers.Dispose();
}
