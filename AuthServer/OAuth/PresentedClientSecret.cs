using System.Text;
using Microsoft.Extensions.Primitives;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// A client id and secret as a confidential client presents them, read ahead of OpenIddict by the paths that answer
/// without its pipeline (<see cref="ResourceServerCredentials"/>, <see cref="ClientCredentialsTokenIssuer"/>): by HTTP
/// Basic (<c>client_secret_basic</c>) or in the form (<c>client_secret_post</c>), and only when nothing else is
/// presented that OpenIddict would refuse (two ways at once, a client assertion). Whatever is not read here, OpenIddict
/// reads and answers in its own words.
/// </summary>
internal static class PresentedClientSecret
{
    /// <summary>The request's form, or null when it is not a readable form POST (OpenIddict refuses that itself).</summary>
    public static async ValueTask<IFormCollection?> ReadFormAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            return null;
        }
    }

    public static bool TryRead(HttpRequest request, IFormCollection form, out string clientId, out string secret)
    {
        var fromForm = form.ContainsKey(Parameters.ClientId) || form.ContainsKey(Parameters.ClientSecret) || form.ContainsKey(Parameters.ClientAssertion);
        if (request.Headers.Authorization.Count > 0)
        {
            return !fromForm & TryReadBasic(request.Headers.Authorization, out clientId, out secret);
        }

        if (form[Parameters.ClientId] is [{ Length: > 0 } postedId] && form[Parameters.ClientSecret] is [{ Length: > 0 } postedSecret]
            && !form.ContainsKey(Parameters.ClientAssertion))
        {
            (clientId, secret) = (postedId, postedSecret);
            return true;
        }

        (clientId, secret) = ("", "");
        return false;
    }

    /// <summary>
    /// HTTP Basic client credentials (client_secret_basic). RFC 6749 §2.3.1: the id and the secret are form-encoded,
    /// then joined by a colon and base64-encoded.
    /// </summary>
    public static bool TryReadBasic(StringValues authorization, out string clientId, out string secret)
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
