using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AlyAspire.KeyService.Services;

public sealed class ApiKeyHashingOptions
{
    public const string Section = "ApiKeys";

    /// <summary>The server secret under which key secrets are hashed (<c>ApiKeys:HashSecret</c>), so a dump alone confirms nothing.</summary>
    public string HashSecret { get; set; } = string.Empty;
}

/// <summary>HMAC-SHA-256 of a key secret under the server secret: what is stored and looked up, never the secret.</summary>
public sealed class ApiKeyHasher(IOptions<ApiKeyHashingOptions> options)
{

    private readonly byte[] _hashSecret = Encoding.UTF8.GetBytes(options.Value.HashSecret);

    public byte[] Hash(string secret)
    {
        // Keys are short (format-checked before they get here); anything longer goes to the heap, not the stack.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> secretBytes = maxBytes <= 256 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var written = Encoding.UTF8.GetBytes(secret, secretBytes);
        var hash = HMACSHA256.HashData(_hashSecret, secretBytes[..written]);
        CryptographicOperations.ZeroMemory(secretBytes);
        return hash;
    }
}
