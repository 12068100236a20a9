namespace AlyAspire.KeyService.Model;

/// <summary>
/// A workspace's API key: name, scopes and lifecycle. Its secrets are never stored, only their keyed hashes
/// (<see cref="ApiKeySecret"/>); a key has one current secret and, after a roll, older ones in their grace period.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }

    public Guid WorkspaceId { get; set; }

    /// <summary>Who created the key (<c>user:…</c> or a credential id): for audit, never for authorization.</summary>
    public required string CreatedBy { get; set; }

    public required string Name { get; set; }

    public List<string> Scopes { get; set; } = [];

    /// <summary>The current secret's display parts: <c>aly_a8d9</c> and <c>e3c7</c>.</summary>
    public required string DisplayPrefix { get; set; }

    public required string DisplaySuffix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    /// <summary>For a key minted by an agent acting for a person: that person (the key goes when they leave the workspace).</summary>
    public Guid? OnBehalfOfUserId { get; set; }

    /// <summary>For a key minted under an OAuth grant: the grant's authorization id (the key is revoked with it).</summary>
    public string? AuthorizationId { get; set; }

    /// <summary>The UCP platform (shopping agent) profile URL the key was issued to, canonical; UCP requests naming another are refused.</summary>
    public string? PlatformProfile { get; set; }

    public List<ApiKeySecret> Secrets { get; set; } = [];

    public bool IsRevoked => RevokedAt is not null;
}
