using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Limits the OAuth endpoints per client address and per client id, in Redis for every instance
/// (<see cref="SharedWindowCounters"/>): token, introspection, revocation, authorization, and dynamic client
/// registration (per address only: a registration has no client id yet). A middleware rather than an endpoint
/// policy because OpenIddict answers its endpoints inside authentication, before any endpoint runs; it sits after
/// the forwarded headers and the JSON token rewrite and before authentication. A refusal is 429 with
/// <c>Retry-After</c> and the endpoint's own error form: RFC 6749 JSON <c>temporarily_unavailable</c> (the code
/// RFC 6749 defines for a server that cannot answer now; <c>slow_down</c> is RFC 8628's device-polling code, which
/// strict clients do not expect elsewhere) on the token, introspection, revocation and registration (RFC 7591)
/// endpoints, and a page on the authorization endpoint, which a person's browser shows (a redirect to the client
/// would need a redirect URI that has not been validated yet).
/// </summary>
internal sealed class OAuthEndpointLimitsMiddleware(
    RequestDelegate next, SharedWindowCounters counters, ResourceServerCredentials resourceServers,
    IOptions<ThrottlingOptions> throttling, IOptions<OAuthServerOptions> oauth)
{
    private enum Surface { Json, Page }

    /// <param name="PerClient">0: no per-client limit.</param>
    private readonly record struct LimitedEndpoint(string Name, int PerAddress, int PerClient, Surface Surface);

    public async Task InvokeAsync(HttpContext context)
    {
        if (Match(context.Request.Path) is not { } endpoint)
        {
            await next(context);
            return;
        }

        // The platform's own resource servers, proven by their configured secret, are not limited: they introspect every
        // token their agents bring. A wrong secret under their client id counts per address like any other guess.
        if (endpoint.Name == "introspect" && await resourceServers.AuthenticateAsync(context) is not null)
        {
            await next(context);
            return;
        }

        var window = throttling.Value.OAuthWindow;
        var perAddress = new WindowLimit($"{endpoint.Name}:address", ClientAddress.Of(context), endpoint.PerAddress, window);
        // Both limits in one count when the request names a client: the per-client one only if the address still fits.
        var wait = endpoint.PerClient > 0 && await ClientIdAsync(context) is { } clientId && !IsExempt(endpoint, clientId)
            ? await counters.CountBothAsync(perAddress, new WindowLimit($"{endpoint.Name}:client", clientId, endpoint.PerClient, window), context.RequestAborted)
            : await counters.CountAsync(perAddress, 1, context.RequestAborted);

        if (wait is { } retryAfter)
        {
            await RefuseAsync(context, endpoint.Surface, retryAfter);
            return;
        }

        await next(context);
    }

    private LimitedEndpoint? Match(PathString path)
    {
        if (!path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var options = throttling.Value;
        return path.Value?.TrimEnd('/').ToLowerInvariant() switch
        {
            "/oauth/token" => new("token", options.Token.PerAddress, options.Token.PerClient, Surface.Json),
            "/oauth/introspect" => new("introspect", options.Introspection.PerAddress, options.Introspection.PerClient, Surface.Json),
            "/oauth/revoke" => new("revoke", options.Revocation.PerAddress, options.Revocation.PerClient, Surface.Json),
            "/oauth/authorize" => new("authorize", options.Authorization.PerAddress, options.Authorization.PerClient, Surface.Page),
            "/" + DiscoveryMetadataHandler.RegistrationPath => new("register", oauth.Value.RegistrationPermitsPerMinute, 0, Surface.Json),
            _ => null,
        };
    }

    /// <summary>The platform's resource servers introspect under a public client id: not limited per client.</summary>
    private bool IsExempt(LimitedEndpoint endpoint, string clientId) =>
        endpoint.Name == "introspect" && oauth.Value.ResourceServerClients.Contains(clientId, StringComparer.Ordinal);

    /// <summary>
    /// The client id as presented (authenticated or not: a guessed secret counts against the client it guesses for):
    /// HTTP Basic (client_secret_basic), else the <c>client_id</c> parameter of the query or the form.
    /// </summary>
    private static async ValueTask<string?> ClientIdAsync(HttpContext context)
    {
        var request = context.Request;
        if (PresentedClientSecret.TryReadBasic(request.Headers.Authorization, out var basicClientId, out _))
        {
            return basicClientId;
        }

        if (request.Query.TryGetValue("client_id", out var fromQuery) && fromQuery is [{ Length: > 0 } queried])
        {
            return queried;
        }

        // An unreadable form is counted per address only; the endpoint refuses it as it would anyway.
        return await PresentedClientSecret.ReadFormAsync(request) is { } form
               && form.TryGetValue("client_id", out var fromForm) && fromForm is [{ Length: > 0 } posted]
            ? posted
            : null;
    }

    private static async Task RefuseAsync(HttpContext context, Surface surface, TimeSpan retryAfter)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.CacheControl = "no-store";
        RetryAfterHeader.Set(response, retryAfter);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        if (surface == Surface.Page)
        {
            await ThrottledPage.WriteAsync(context, $"Too many authorization requests. Wait {seconds} seconds before trying again.", context.RequestAborted);
            return;
        }

        await response.WriteAsJsonAsync(new
        {
            error = OAuthErrorCodes.TemporarilyUnavailable,
            error_description = $"Too many requests; try again in {seconds} seconds.",
        }, context.RequestAborted);
    }
}
