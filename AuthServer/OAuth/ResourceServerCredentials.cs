using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Recognises the platform's resource servers (<see cref="OAuthServerOptions.ResourceServerClients"/>) at the
/// introspection endpoint without authdb: a caller presenting exactly the introspection secret this deployment
/// configured for it (the value the seed writes to authdb), compared by SHA-256 in constant time, by HTTP Basic or in
/// the form, and with nothing OpenIddict would refuse (two ways of client authentication at once). Anything else is
/// not recognised here, and OpenIddict authenticates it as usual.
/// </summary>
public sealed class ResourceServerCredentials
{
    private readonly FrozenDictionary<string, byte[]> _secretHashes;

    public ResourceServerCredentials(IOptions<OAuthServerOptions> options, IConfiguration configuration) =>
        _secretHashes = options.Value.ResourceServerClients
            .Select(clientId => (clientId, secret: configuration[OAuthServerOptions.ResourceServerSecretKey(clientId)]))
            .Where(c => !string.IsNullOrEmpty(c.secret))
            .ToFrozenDictionary(c => c.clientId, c => SHA256.HashData(Encoding.UTF8.GetBytes(c.secret!)), StringComparer.Ordinal);

    private static readonly object AuthenticatedItem = new();

    /// <summary>
    /// The resource server that authenticated with its configured secret, or null (then OpenIddict decides). Worked
    /// out once per request (the endpoint limits and the answer cache both ask) and remembered on the request.
    /// </summary>
    public async ValueTask<string?> AuthenticateAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(AuthenticatedItem, out var known))
        {
            return (string?)known;
        }

        var caller = await AuthenticateOnceAsync(context.Request);
        context.Items[AuthenticatedItem] = caller;
        return caller;
    }

    private async ValueTask<string?> AuthenticateOnceAsync(HttpRequest request)
    {
        if (await PresentedClientSecret.ReadFormAsync(request) is not { } form
            || !PresentedClientSecret.TryRead(request, form, out var clientId, out var secret))
        {
            return null;
        }

        if (!_secretHashes.TryGetValue(clientId, out var expected))
        {
            return null;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        return CryptographicOperations.FixedTimeEquals(presented, expected) ? clientId : null;
    }
}
