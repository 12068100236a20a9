namespace AlyAspire.KeyService.Model;

/// <summary>
/// Requests one credential (an API key, an OAuth grant or client) made on one UTC day, by outcome, as counted by the
/// agent surfaces and written in batches (<see cref="UsageBatchRecord"/>).
/// </summary>
public sealed class CredentialUsageDay
{
    public const int IdentifierMaxLength = 200;

    public Guid WorkspaceId { get; set; }

    /// <summary>One of <see cref="Shared.Usage.UsageCredentialKinds"/>.</summary>
    public required string CredentialKind { get; set; }

    public required string CredentialId { get; set; }

    public DateOnly Day { get; set; }

    /// <summary>The OAuth client the credential belongs to; null for API keys.</summary>
    public string? ClientId { get; set; }

    public long Allowed { get; set; }

    public long Unauthorized { get; set; }

    public long Forbidden { get; set; }

    public long CredentialLimited { get; set; }

    public long WorkspaceLimited { get; set; }

    public DateTimeOffset LastUsedAt { get; set; }
}

/// <summary>A usage batch already applied: a retry of it (same id) changes nothing.</summary>
public sealed class UsageBatchRecord
{
    public Guid Id { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
