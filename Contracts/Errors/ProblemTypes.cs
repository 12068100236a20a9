namespace AlyAspire.Shared.Errors;

/// <summary>
/// The <c>type</c> URIs of the platform's RFC 9457 problem documents, and the RFC 6749/6750 error codes of
/// its OAuth and bearer paths: the one home of every error shape.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://docs.alyaspire.dev/problems/";

    public const string Validation = Base + "validation";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string Forbidden = Base + "forbidden";
    public const string Unauthorized = Base + "unauthorized";
    public const string RateLimited = Base + "rate-limited";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string UnknownScope = Base + "unknown-scope";
    public const string ScopeNotGrantable = Base + "scope-not-grantable";
    public const string ServiceUnavailable = Base + "service-unavailable";
}

/// <summary>RFC 6749 / 6750 / 7591 / 8707 error codes.</summary>
public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
    public const string InvalidRedirectUri = "invalid_redirect_uri";
    public const string InvalidClientMetadata = "invalid_client_metadata";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}

/// <summary>Builds RFC 6750 <c>WWW-Authenticate: Bearer …</c> challenges.</summary>
public static class BearerChallenge
{
    public static string Create(string? error = null, string? description = null, string? scope = null, string? resourceMetadata = null)
    {
        var parts = new List<string>();
        if (resourceMetadata is not null)
        {
            parts.Add($"resource_metadata=\"{Escape(resourceMetadata)}\"");
        }

        if (error is not null)
        {
            parts.Add($"error=\"{Escape(error)}\"");
        }

        if (description is not null)
        {
            parts.Add($"error_description=\"{Escape(description)}\"");
        }

        if (scope is not null)
        {
            parts.Add($"scope=\"{Escape(scope)}\"");
        }

        return parts.Count == 0 ? "Bearer" : "Bearer " + string.Join(", ", parts);
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
