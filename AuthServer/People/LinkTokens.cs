using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AlyAspire.AuthServer.People;

/// <summary>
/// The secrets in mailed links (verification, reset, invitation): 256 random bits, base64url; only their SHA-256 is
/// stored, and a link is looked up by that hash.
/// </summary>
public static class LinkTokens
{
    public static (string Token, byte[] Hash) Create()
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>A link token as it can appear: 43 base64url characters (anything else is refused before any lookup).</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
