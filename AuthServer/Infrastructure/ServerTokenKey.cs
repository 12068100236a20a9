namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// A symmetric key of the OpenIddict server (HMAC signing or AES key wrapping of token payloads), generated once and
/// kept so every instance and every restart reads the same tokens. Tokens leave the server only as random reference
/// identifiers, so nobody outside needs a public key to check them; symmetric keys make each issued or introspected
/// token cost microseconds instead of an RSA private-key operation.
/// </summary>
public sealed class ServerTokenKey
{
    public required string Purpose { get; set; }

    public required byte[] Material { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
