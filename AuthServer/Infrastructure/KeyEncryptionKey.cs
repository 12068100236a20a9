using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>The key-encryption key's source (section <c>KeyEncryption</c>; an AppHost secret parameter).</summary>
public sealed class KeyEncryptionOptions
{
    public const string Section = "KeyEncryption";

    [Required, MinLength(32)]
    public string Key { get; set; } = string.Empty;
}

/// <summary>
/// Encrypts the AuthServer's own key material before it is stored in authdb (the OpenIddict signing and
/// encryption certificates, the data-protection keys), so a copy of the database alone opens nothing.
/// An envelope is <c>version (1) ‖ nonce (12) ‖ tag (16) ‖ ciphertext</c>, AES-256-GCM under a key derived with
/// HKDF-SHA256 from <see cref="KeyEncryptionOptions.Key"/>; the purpose is the associated data, so an envelope
/// cannot be passed off as another purpose's.
/// </summary>
public sealed class KeyEncryptionKey
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    private readonly byte[] _key;

    public KeyEncryptionKey(IOptions<KeyEncryptionOptions> options) =>
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.Key), 32,
            salt: [], info: "AlyAspire.AuthServer key encryption v1"u8.ToArray());

    /// <summary>Whether stored bytes are an envelope (a PKCS#12 file begins with a DER sequence, 0x30).</summary>
    public static bool IsEnvelope(ReadOnlySpan<byte> stored) => stored.Length > HeaderSize && stored[0] == Version;

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var envelope = new byte[HeaderSize + plaintext.Length];
        envelope[0] = Version;
        var nonce = envelope.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, envelope.AsSpan(HeaderSize), envelope.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return envelope;
    }

    /// <summary>Opens an envelope; throws <see cref="CryptographicException"/> if it was not sealed with this key and purpose.</summary>
    public byte[] Decrypt(ReadOnlySpan<byte> envelope, string purpose)
    {
        if (!IsEnvelope(envelope))
        {
            throw new CryptographicException("The stored key material is not an envelope of this version.");
        }

        var plaintext = new byte[envelope.Length - HeaderSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(envelope.Slice(1, NonceSize), envelope[HeaderSize..], envelope.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}
