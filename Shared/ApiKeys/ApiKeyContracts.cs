namespace AlyAspire.Shared.ApiKeys;

// The KeyService's HTTP contract, shared by the service and its callers (the dashboard, StorefrontApi).
// Every route is internal: it requires the platform's service credential (X-Aly-Service-Key).

/// <summary>An API key as it may be shown: never its secret, only the display form (<c>aly_a8d9…e3c7</c>).</summary>
public sealed record ApiKeySummary(
    Guid Id,
    Guid WorkspaceId,
    string Name,
    string DisplayForm,
    IReadOnlyList<string> Scopes,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    IReadOnlyList<ApiKeyDailyUsage> Usage);

/// <summary>A key's requests on one UTC day: <paramref name="Requests"/> allowed, <paramref name="Refused"/> refused (401/403/429).</summary>
public sealed record ApiKeyDailyUsage(DateOnly Day, long Requests, long Refused);

/// <summary>A key together with its secret: returned once, by create and roll, and never again.</summary>
public sealed record ApiKeyWithSecret(ApiKeySummary Key, string Secret);

public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt);

/// <summary>Roll: a new secret for the same key; the old one keeps working for the grace period (default 24 h, at most 7 days).</summary>
public sealed record RollApiKeyRequest(int? GracePeriodHours);

/// <summary>Who asks, for audit and for the limit on what may be granted. Sent as headers by <see cref="ApiKeyClient"/>.</summary>
/// <param name="Actor">A user id (<c>user:…</c>) or a credential id (<c>key:…</c>, <c>oauth:…</c>).</param>
/// <param name="GrantableScopes">The scopes the actor may hand to a new key: its role's, or its own credential's.</param>
/// <param name="SourceIp">The end user's IP address, for the audit record.</param>
public sealed record ApiKeyActor(string Actor, IReadOnlyList<string> GrantableScopes, string? SourceIp);

public sealed record VerifyApiKeyRequest(string Key);

/// <summary>Result of verification: the key's identity, or why the secret is not valid.</summary>
/// <param name="Reason">One of <see cref="ApiKeyInvalidReasons"/> when not valid.</param>
public sealed record VerifyApiKeyResponse(
    bool Valid,
    string? Reason,
    Guid? KeyId,
    Guid? WorkspaceId,
    string? CreatedBy,
    IReadOnlyList<string>? Scopes,
    DateTimeOffset? ExpiresAt);

public static class ApiKeyInvalidReasons
{
    public const string Malformed = "malformed";
    public const string BadChecksum = "bad_checksum";
    public const string Unknown = "unknown";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

public static class ApiKeyHeaders
{
    public const string Actor = "X-Aly-Actor";
    public const string ActorScopes = "X-Aly-Actor-Scopes";
    public const string ActorIp = "X-Aly-Actor-Ip";
}

public static class ApiKeyRoutes
{
    public const string Verify = "/internal/keys/verify";

    public static string Keys(Guid workspaceId) => $"/internal/workspaces/{workspaceId}/keys";

    public static string Key(Guid workspaceId, Guid keyId) => $"{Keys(workspaceId)}/{keyId}";

    public static string Revoke(Guid workspaceId, Guid keyId) => $"{Key(workspaceId, keyId)}/revoke";

    public static string Roll(Guid workspaceId, Guid keyId) => $"{Key(workspaceId, keyId)}/roll";
}

/// <summary>The grace period of a roll: how long the previous secret keeps working.</summary>
public static class ApiKeyRollGrace
{
    public const int DefaultHours = 24;
    public const int MaxHours = 7 * 24;
}

/// <summary>The actions of the KeyService's audit trail.</summary>
public static class ApiKeyAuditActions
{
    public const string Created = "created";
    public const string Rolled = "rolled";
    public const string Revoked = "revoked";
}
