using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

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
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return null;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            return null; // OpenIddict refuses an unreadable form in its own words.
        }

        string? clientId, secret;
        var fromForm = form.ContainsKey(Parameters.ClientId) || form.ContainsKey(Parameters.ClientSecret) || form.ContainsKey(Parameters.ClientAssertion);
        if (request.Headers.Authorization.Count > 0)
        {
            if (fromForm || !TryReadBasic(request.Headers.Authorization, out clientId, out secret))
            {
                return null;
            }
        }
        else if (form[Parameters.ClientId] is [{ } postedId] && form[Parameters.ClientSecret] is [{ } postedSecret]
                 && !form.ContainsKey(Parameters.ClientAssertion))
        {
            (clientId, secret) = (postedId, postedSecret);
        }
        else
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

    /// <summary>
    /// HTTP Basic client credentials (client_secret_basic). RFC 6749 §2.3.1: the id and the secret are form-encoded,
    /// then joined by a colon and base64-encoded.
    /// </summary>
    public static bool TryReadBasic(Microsoft.Extensions.Primitives.StringValues authorization, out string clientId, out string secret)
    {
        (clientId, secret) = ("", "");
        if (authorization is not [{ } header] || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parameter = header.AsSpan(6).Trim();
        var buffer = new byte[(parameter.Length * 3 + 3) / 4];
        if (!Convert.TryFromBase64Chars(parameter, buffer, out var written))
        {
            return false;
        }

        var credentials = Encoding.UTF8.GetString(buffer, 0, written);
        var colon = credentials.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(credentials[..colon].Replace('+', ' '));
        secret = Uri.UnescapeDataString(credentials[(colon + 1)..].Replace('+', ' '));
        return true;
    }
}
