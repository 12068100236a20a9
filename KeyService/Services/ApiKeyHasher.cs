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
    public const int HashLength = HMACSHA256.HashSizeInBytes;

    private readonly byte[] _hashSecret = Encoding.UTF8.GetBytes(options.Value.HashSecret);

    public byte[] Hash(string secret)
    {
        Span<byte> secretBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var written = Encoding.UTF8.GetBytes(secret, secretBytes);
        var hash = HMACSHA256.HashData(_hashSecret, secretBytes[..written]);
        CryptographicOperations.ZeroMemory(secretBytes);
        return hash;
    }
}
