using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Remembers, for a short while, that a presented client secret matched a stored secret hash, so a confidential
/// client (a resource server introspecting, a machine client asking for tokens) does not cost a PBKDF2 on every
/// request. The entry is keyed by an HMAC, under a key that never leaves this process, of the stored hash and the
/// presented secret together: no secret is kept, and a rotated secret (a new stored hash) or a deleted client (no
/// stored hash at all) finds no entry on the very next request. Only successes are remembered.
/// </summary>
public sealed class ClientSecretVerificationCache : IDisposable
{
    /// <summary>How long a success is trusted before the hash is checked again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const int Capacity = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly MemoryCache _successes = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool IsKnownMatch(string secret, string storedHash) => _successes.TryGetValue(KeyOf(secret, storedHash), out _);

    public void RememberMatch(string secret, string storedHash) =>
        _successes.Set(KeyOf(secret, storedHash), true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    private string KeyOf(string secret, string storedHash)
    {
        var input = Encoding.UTF8.GetBytes(storedHash + "\n" + secret);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(_key, input));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public void Dispose() => _successes.Dispose();
}
