namespace AlyAspire.Shared.ApiKeys;

// The KeyService's HTTP contract, shared by the service and its callers (the dashboard, StorefrontApi).
// Every route is internal: it requires the platform's service credential (X-Aly-Service-Key).

/// <summary>An API key as it may be shown: never its secret, only the display form (<c>aly_a8d9…e3c7</c>).</summary>
/// <param name="OnBehalfOfUserId">For a key minted by an agent acting for a person: that person.</param>
/// <param name="AuthorizationId">For a key minted under an OAuth grant: the grant (the key is revoked with it).</param>
/// <param name="PlatformProfile">The UCP platform profile URL the key is bound to: UCP requests naming another are refused.</param>
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
    IReadOnlyList<ApiKeyDailyUsage> Usage,
    Guid? OnBehalfOfUserId = null,
    string? AuthorizationId = null,
    string? PlatformProfile = null);

/// <summary>A key's requests on one UTC day: <paramref name="Requests"/> allowed, <paramref name="Refused"/> refused (401/403/429).</summary>
public sealed record ApiKeyDailyUsage(DateOnly Day, long Requests, long Refused);

/// <summary>A key together with its secret: returned once, by create and roll, and never again.</summary>
public sealed record ApiKeyWithSecret(ApiKeySummary Key, string Secret);

/// <param name="PlatformProfile">Optional: the https URL of the UCP platform (shopping agent) profile the key is issued
/// to; UCP requests whose <c>UCP-Agent</c> names another profile are then refused.</param>
public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, string? PlatformProfile = null);

/// <summary>Roll: a new secret for the same key; the old one keeps working for the grace period (default 24 h, at most 7 days).</summary>
public sealed record RollApiKeyRequest(int? GracePeriodHours);

/// <summary>
/// Who asks, as something the KeyService verifies itself (never a claim it takes on trust): a person as an
/// <see cref="ActorAssertions">actor assertion</see> signed by the AuthServer, or an agent as the very credential it
/// presented (an API key, which the KeyService verifies, or an OAuth access token, which it introspects). The actor's
/// ceiling (what it may grant, roll or revoke) follows from that: the person's role, the key's or the grant's scopes.
/// </summary>
/// <param name="SourceIp">The end user's IP address, for the audit record only.</param>
public sealed record ApiKeyActor(string? Assertion, string? Credential, string? SourceIp)
{
    public static ApiKeyActor Person(string assertion) => new(assertion, null, null);

    public static ApiKeyActor Agent(string credential, string? sourceIp) => new(null, credential, sourceIp);
}

public sealed record VerifyApiKeyRequest(string Key);

/// <summary>Result of verification: the key's identity, or why the secret is not valid.</summary>
/// <param name="Reason">One of <see cref="ApiKeyInvalidReasons"/> when not valid.</param>
/// <param name="SecretId">Which of the key's secrets matched: its own revocation marker covers a rolled-away secret.</param>
/// <param name="AuthorizationId">For a key minted by an OAuth-delegated agent, the grant it dies with.</param>
/// <param name="PlatformProfile">The UCP platform profile the key is bound to, if any.</param>
public sealed record VerifyApiKeyResponse(
    bool Valid,
    string? Reason,
    Guid? KeyId,
    Guid? WorkspaceId,
    string? CreatedBy,
    IReadOnlyList<string>? Scopes,
    DateTimeOffset? ExpiresAt,
    Guid? SecretId = null,
    string? AuthorizationId = null,
    string? PlatformProfile = null);

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
    /// <summary>A person's actor assertion (a short-lived JWT signed by the AuthServer).</summary>
    public const string ActorAssertion = "X-Aly-Actor-Assertion";

    /// <summary>An agent's own bearer credential, which the KeyService verifies itself. Never logged.</summary>
    public const string ActorCredential = "X-Aly-Actor-Credential";

    /// <summary>The end user's address, for the audit trail only (it grants nothing).</summary>
    public const string ActorIp = "X-Aly-Actor-Ip";
}

public static class ApiKeyRoutes
{
    public const string Verify = "/internal/keys/verify";

    public static string Keys(Guid workspaceId) => $"/internal/workspaces/{workspaceId}/keys";

    public static string Key(Guid workspaceId, Guid keyId) => $"{Keys(workspaceId)}/{keyId}";

    public static string Revoke(Guid workspaceId, Guid keyId) => $"{Key(workspaceId, keyId)}/revoke";

    public static string Roll(Guid workspaceId, Guid keyId) => $"{Key(workspaceId, keyId)}/roll";

    /// <summary>Revokes every key minted under an OAuth grant (the AuthServer calls it when the grant is revoked). Idempotent.</summary>
    public static string RevokeKeysOfAuthorization(string authorizationId) => $"/internal/authorizations/{Uri.EscapeDataString(authorizationId)}/revoke-keys";

    /// <summary>Revokes every key agents minted on behalf of a person in a workspace (the person left). Idempotent.</summary>
    public static string RevokeKeysOnBehalfOf(Guid workspaceId, Guid userId) => $"/internal/workspaces/{workspaceId}/people/{userId}/revoke-delegated-keys";
}

/// <summary>How many keys an idempotent bulk revocation revoked now (0 when they were all revoked before).</summary>
public sealed record BulkRevocationResult(int Revoked);

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
