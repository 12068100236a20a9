using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.Shared.ApiKeys;

/// <summary>Why a string is not a well-formed API key (decided offline, before any lookup).</summary>
public enum ApiKeyFormatError
{
    None = 0,
    /// <summary>Wrong prefix, length or alphabet.</summary>
    Malformed,
    /// <summary>Well-formed, but the checksum does not match: a typo or a made-up key.</summary>
    BadChecksum,
}

/// <summary>
/// The one owner of the API key format: <c>aly_</c> + 32 base62 characters of randomness (≈190 bits)
/// + a 6-character base62 CRC32 over everything before it. The checksum lets the verifier and secret
/// scanners reject mistyped or invented keys without a lookup. The alphabet has no <c>_</c>, so no key
/// can ever start with <see cref="CredentialFormats.OAuthAccessTokenPrefix"/>.
/// </summary>
public static class ApiKeyFormat
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int RandomLength = 32;
    /// <summary>62^6 ≈ 5.7e10 > 2^32, so every CRC32 fits in six characters.</summary>
    public const int ChecksumLength = 6;
    public static readonly int Length = CredentialFormats.ApiKeyPrefix.Length + RandomLength + ChecksumLength;

    /// <summary>A new key from the operating system's cryptographic random number generator.</summary>
    public static string Generate()
    {
        Span<char> key = stackalloc char[Length];
        CredentialFormats.ApiKeyPrefix.CopyTo(key);
        // GetItems picks uniformly from the alphabet (no modulo bias).
        RandomNumberGenerator.GetItems(Alphabet, key.Slice(CredentialFormats.ApiKeyPrefix.Length, RandomLength));
        var body = key[..^ChecksumLength];
        WriteChecksum(Checksum(body), key[^ChecksumLength..]);
        return new string(key);
    }

    /// <summary>Checks prefix, length, alphabet and checksum; allocation-free.</summary>
    public static ApiKeyFormatError Check(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(CredentialFormats.ApiKeyPrefix, StringComparison.Ordinal))
        {
            return ApiKeyFormatError.Malformed;
        }

        var rest = key[CredentialFormats.ApiKeyPrefix.Length..];
        if (rest.ContainsAnyExcept(AlphabetValues))
        {
            return ApiKeyFormatError.Malformed;
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(Checksum(key[..^ChecksumLength]), expected);
        return expected.SequenceEqual(key[^ChecksumLength..]) ? ApiKeyFormatError.None : ApiKeyFormatError.BadChecksum;
    }

    public static bool IsValid(ReadOnlySpan<char> key) => Check(key) == ApiKeyFormatError.None;

    /// <summary>The reason of <see cref="ApiKeyInvalidReasons"/> for a format error, or <c>null</c> when the form is valid.</summary>
    public static string? InvalidReason(ApiKeyFormatError error) => error switch
    {
        ApiKeyFormatError.None => null,
        ApiKeyFormatError.BadChecksum => ApiKeyInvalidReasons.BadChecksum,
        _ => ApiKeyInvalidReasons.Malformed,
    };

    /// <summary>The parts of a valid key that may be shown and stored: <c>aly_a8d9</c> and <c>e3c7</c>.</summary>
    public static (string Prefix, string Suffix) DisplayParts(string key)
    {
        if (!IsValid(key))
        {
            throw new ArgumentException("Not a valid API key.", nameof(key));
        }

        return (key[..(CredentialFormats.ApiKeyPrefix.Length + CredentialFormats.DisplayCharacters)], key[^CredentialFormats.DisplayCharacters..]);
    }

    /// <summary>The display form, <c>aly_a8d9…e3c7</c>: enough to recognise a key, far too little to use it.</summary>
    public static string DisplayForm(string key)
    {
        var (prefix, suffix) = DisplayParts(key);
        return CredentialFormats.JoinDisplayParts(prefix, suffix);
    }

    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

    private static uint Checksum(ReadOnlySpan<char> body)
    {
        // The body is ASCII by construction (prefix + alphabet), so one byte per character.
        Span<byte> bytes = stackalloc byte[body.Length];
        for (var i = 0; i < body.Length; i++)
        {
            bytes[i] = (byte)body[i];
        }

        return Crc32.HashToUInt32(bytes);
    }

    private static void WriteChecksum(uint value, Span<char> destination)
    {
        // Fixed width, most significant digit first.
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }
}
