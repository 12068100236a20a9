namespace AlyAspire.Shared.Credentials;

/// <summary>
/// Redis keys through which a revocation reaches every verifier's cache. The revoking service writes the
/// marker (and publishes on <see cref="Channel"/>) before its revoke call returns; a verifier checks the
/// markers of a cached credential on every request, so no cache outlives a revocation.
/// </summary>
public static class RevocationSignals
{
    /// <summary>Pub/sub channel carrying the revoked marker key, so caches drop entries eagerly.</summary>
    public const string Channel = "aly:revocations";

    /// <summary>How long a marker lives: well beyond any verifier's cache lifetime.</summary>
    public static readonly TimeSpan MarkerLifetime = TimeSpan.FromHours(2);

    /// <summary>The longest a verifier may cache a positive result before asking the source again.</summary>
    public static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromMinutes(5);

    public static string ApiKey(string keyId) => $"aly:revoked:key:{keyId}";

    /// <summary>One secret of a key (rolled away): the key and its other secrets stay valid.</summary>
    public static string ApiKeySecret(string secretId) => $"aly:revoked:key-secret:{secretId}";

    public static string OAuthToken(string tokenId) => $"aly:revoked:oauth-token:{tokenId}";

    public static string OAuthAuthorization(string authorizationId) => $"aly:revoked:oauth-authz:{authorizationId}";
}
