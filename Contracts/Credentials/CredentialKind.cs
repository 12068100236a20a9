namespace AlyAspire.Shared.Credentials;

/// <summary>What a bearer string is, decided by its form alone, before any lookup.</summary>
public enum CredentialKind
{
    /// <summary>Nothing recognisable.</summary>
    Unknown = 0,
    /// <summary><c>aly_…</c>: a workspace API key (KeyService).</summary>
    ApiKey,
    /// <summary><c>aly_oauth_…</c>: an OAuth access token (AuthServer).</summary>
    OAuthAccessToken,
    /// <summary>A JWT (three base64url segments): the dashboard's session token, never valid on agent surfaces.</summary>
    SessionJwt,
}

/// <summary>The prefixes and claim names of the platform's credentials: their one home.</summary>
public static class CredentialFormats
{
    public const string ApiKeyPrefix = "aly_";
    public const string OAuthAccessTokenPrefix = "aly_oauth_";
    /// <summary>Refresh tokens: opaque like access tokens, but never mistaken for one.</summary>
    public const string OAuthRefreshTokenPrefix = "aly_refresh_";
    /// <summary>A machine client's secret (client_credentials): only ever sent to the token endpoint.</summary>
    public const string MachineClientSecretPrefix = "aly_mcs_";
    /// <summary>The dashboard's session cookie (a JWT); agent surfaces refuse it by name.</summary>
    public const string SessionCookieName = "__Host-aly_session";
    /// <summary>The same cookie's name where the <c>__Host-</c> prefix cannot be used (plain-http loopback development).</summary>
    public const string DevelopmentSessionCookieName = "aly_session";

    /// <summary>
    /// The form in which a secret may be shown (logs, pages, console output): its prefix, four characters,
    /// an ellipsis and its last four characters, e.g. <c>aly_a8d9…e3c7</c>. Never enough to use it.
    /// </summary>
    public static string DisplayForm(string secret)
    {
        var prefix = secret.StartsWith(OAuthAccessTokenPrefix, StringComparison.Ordinal) ? OAuthAccessTokenPrefix
            : secret.StartsWith(OAuthRefreshTokenPrefix, StringComparison.Ordinal) ? OAuthRefreshTokenPrefix
            : secret.StartsWith(MachineClientSecretPrefix, StringComparison.Ordinal) ? MachineClientSecretPrefix
            : secret.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) ? ApiKeyPrefix
            : string.Empty;
        var body = secret.AsSpan(prefix.Length);
        return body.Length < 3 * DisplayCharacters
            ? prefix + "…"
            : JoinDisplayParts(prefix + body[..DisplayCharacters].ToString(), body[^DisplayCharacters..].ToString());
    }

    /// <summary>How many characters of a secret's body the display form shows at each end.</summary>
    public const int DisplayCharacters = 4;

    /// <summary>Joins the shown start and end of a secret (as stored for API keys) into its display form.</summary>
    public static string JoinDisplayParts(string shownStart, string shownEnd) => $"{shownStart}…{shownEnd}";

    /// <summary>Classifies a bearer string by its form.</summary>
    public static CredentialKind Classify(ReadOnlySpan<char> bearer)
    {
        if (bearer.StartsWith(OAuthAccessTokenPrefix, StringComparison.Ordinal))
        {
            return CredentialKind.OAuthAccessToken;
        }

        if (bearer.StartsWith(ApiKeyPrefix, StringComparison.Ordinal))
        {
            return CredentialKind.ApiKey;
        }

        return LooksLikeJwt(bearer) ? CredentialKind.SessionJwt : CredentialKind.Unknown;
    }

    /// <summary>Three dot-separated base64url segments, the first starting with <c>eyJ</c> (<c>{"</c>).</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> value)
    {
        if (!value.StartsWith("eyJ", StringComparison.Ordinal))
        {
            return false;
        }

        var dots = 0;
        foreach (var c in value)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '='))
            {
                return false;
            }
        }

        return dots == 2;
    }
}

/// <summary>Claim types of an agent principal: the same for API keys and OAuth tokens.</summary>
public static class AgentClaimTypes
{
    public const string WorkspaceId = "org";
    public const string UserId = "sub";
    public const string CredentialId = "credential_id";
    public const string CredentialKind = "credential_kind";
    public const string Scope = "scope";
    public const string ClientId = "client_id";
    /// <summary>The UCP platform profile URL the credential is bound to (<see cref="PlatformProfiles"/>).</summary>
    public const string PlatformProfile = "ucp_platform_profile";
}
